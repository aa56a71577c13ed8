"""The one gate: every command, button, reply, file and form step passes here before a handler runs.

The gate builds the `Call` (who, where, which language, which roles), decodes button data with the one codec,
finds the object a press or reply acts on (refusing it when the object belongs to another chat), asks the
permission map (bot/services/permissions.py) about the action, runs the handler, and turns what a person can
fix (`UserError`) or may not do (`RefusedError`) into a reply in the chat's language. Schedules a handler
changed are armed here, after it finished, so no handler keeps the JobQueue in step itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Message, MessageEntity, Update, User
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler
from telegram.ext.filters import BaseFilter

from bot.enums import Role
from bot.i18n import Translator
from bot.render.codec import Button, Family, decode, pattern
from bot.render.context import App, shop_zone, split_message, translator_for
from bot.services.errors import Msg, UserError
from bot.services.permissions import Facts, Rule, Verdict, check
from bot.services.scheduling import changes
from bot.services.team import people
from bot.services.team.catalog import COMMANDS, ROLE_LABELS
from handlers import crowd
from jobs import engine

log = logging.getLogger(__name__)

Ctx = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
R = TypeVar("R")
EXAMPLES = {info.name: info.example for info in COMMANDS}


class RefusedError(Exception):
    """Raised by a handler that found, after loading what it acts on, that the map says no."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict)
        self.verdict = verdict


@dataclass(slots=True)
class Call:
    """One person acting through the bot: who, where, in which language, with which roles and arguments."""

    update: Update
    context: Ctx
    t: Translator
    roles: frozenset[Role]
    action: str
    button: Button | None = None
    armed: list[int] = field(default_factory=list)
    reacted: bool = False
    """Whether the person's message already got a reaction (handlers/crowd.py): one per update."""

    @property
    def app(self) -> App:
        """The running Application."""
        return self.context.application

    @property
    def zone(self) -> ZoneInfo:
        """The shop's time zone."""
        return shop_zone(self.app)

    @property
    def today(self) -> date:
        """The shop's date now."""
        return engine.now().astimezone(self.zone).date()

    @property
    def user_id(self) -> int:
        """The caller's Telegram id."""
        assert self.update.effective_user is not None
        return self.update.effective_user.id

    @property
    def chat_id(self) -> int:
        """The chat the person acted in."""
        assert self.update.effective_chat is not None
        return self.update.effective_chat.id

    @property
    def is_private(self) -> bool:
        """Whether this is a one-to-one chat with the bot."""
        return self.update.effective_chat is not None and self.update.effective_chat.type == ChatType.PRIVATE

    @property
    def args(self) -> list[str]:
        """The words after the command."""
        return list(self.context.args or [])

    @property
    def message(self) -> Message:
        """The message that carried the command (for a button: the bot's message it was pressed under)."""
        assert self.update.effective_message is not None
        return self.update.effective_message

    @property
    def query(self) -> CallbackQuery:
        """The button press being handled."""
        assert self.update.callback_query is not None
        return self.update.callback_query

    @property
    def seen(self) -> people.SeenUser:
        """The caller as the people service knows them (names as typed in Telegram)."""
        assert self.update.effective_user is not None
        return seen_user(self.update.effective_user)

    @property
    def name(self) -> str:
        """How the caller is named in stamps: @username, else the first name."""
        assert self.update.effective_user is not None
        user = self.update.effective_user
        return f"@{user.username}" if user.username else user.first_name

    @property
    def keyboard_data(self) -> frozenset[str] | None:
        """The data of the buttons under the message pressed (None when it has none left): a press whose data
        is not among them was forged, or pressed under another message than its own."""
        markup = self.message.reply_markup
        if markup is None:
            return None
        return frozenset(str(key.callback_data) for row in markup.inline_keyboard for key in row)

    def facts(self, **known: Any) -> Facts:
        """Facts about the object acted on, from the caller's point of view."""
        return Facts(actor_id=self.user_id, **known)

    def require(self, action: str, facts: Facts | None = None) -> None:
        """Ask the map about a further action once its object is known; refuse through the gate if not."""
        verdict = check(action, self.roles, facts)
        if not verdict.allowed:
            raise RefusedError(verdict)

    async def reply(
        self, text: str, *, busy: crowd.Busy = crowd.OWN, sent: crowd.Sent | None = None, **kwargs: Any
    ) -> Message | None:
        """Answer in the same chat (quoting in groups); long text is split, buttons go on the last part. In a
        group whose 20 messages a minute are spent, the answer gives way as `busy` allows (handlers/crowd.py):
        the message that carries it, or None while it waits for the group; `sent` hears of it either way."""
        if crowd.spent(self, busy):
            return await crowd.give_way(self, text, busy, sent, kwargs)
        quote = not self.is_private and self.button is None
        *first, last = split_message(text)
        for chunk in first:
            await self.message.reply_text(chunk, do_quote=quote)
        message = await self.message.reply_text(last, do_quote=quote, **kwargs)
        if sent is not None:
            await sent(message)
        return message

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer a button press with a toast (or an alert); for a message, reply with the text."""
        if self.update.callback_query is not None:
            await self.update.callback_query.answer(text, show_alert=alert)
        elif text:
            await self.reply(text)


def seen_user(user: User) -> people.SeenUser:
    """Translate PTB's User into the service's plain record."""
    return people.SeenUser(user.id, user.first_name, user.last_name, user.username)


@dataclass(frozen=True, slots=True)
class Target(Generic[T]):
    """What a press or reply acts on: the object, the action the map is asked about, where it belongs."""

    subject: T
    action: str
    chats: frozenset[int] | None = None
    """The chats the object may be acted on from; None when it may be acted on wherever it arrives."""
    facts: Facts | None = None


Loader = Callable[[Call], Awaitable[Target[T] | None]]


def role_names(t: Translator, roles: frozenset[Role] | None) -> str:
    """Roles in the caller's language, in declaration order."""
    return t.join(t(ROLE_LABELS[role]) for role in Role if roles and role in roles)


def explain(t: Translator, error: UserError) -> str:
    """A UserError in the chat's language, translating parameters that are messages themselves."""
    params = {key: t(value) if isinstance(value, Msg) else value for key, value in error.params.items()}
    return t(error.message, **params)


def usage(t: Translator, name: str) -> str:
    """The one-line usage example for a command."""
    return t("Usage: {example}", example=t(EXAMPLES[name])) if name in EXAMPLES else ""


def denied(t: Translator, verdict: Verdict) -> str:
    """Why an action was refused, in the person's terms: the roles it needs, or whose it is."""
    if verdict.rule is Rule.ASKED:
        return t("Only the person asked can answer this.")
    if verdict.rule is Rule.NOT_PARTY:
        return t("You are part of this, so someone else has to decide it.")
    needed = verdict.needs
    if not needed:
        return t("Sorry, this is not available to anyone.")
    if needed == frozenset(Role):
        return t("Sorry, this needs a role in the team: ask a supervisor to give you one with /role.")
    roles = role_names(t, needed)
    if verdict.rule is Rule.AUTHOR:
        return t("Sorry, only its author or someone with the role {roles} can do this.", roles=roles)
    if verdict.rule is Rule.OWNER:
        return t("Sorry, only its owner or someone with the role {roles} can do this.", roles=roles)
    if verdict.rule is Rule.CASE_GROUP:
        return t(
            "Sorry, only the case's current group or someone with the role {roles} can do this.", roles=roles
        )
    return t("Sorry, this needs the role: {roles}.", roles=roles)


def denied_for(t: Translator, action: str, roles: frozenset[Role]) -> str:
    """The refusal for an action judged on roles alone."""
    return denied(t, check(action, roles))


async def enter(update: Update, context: Ctx, action: str) -> Call | None:
    """The Call for an update, or None when it has no person (channel posts, service messages)."""
    user = update.effective_user
    if user is None or update.effective_chat is None:
        return None
    t = await translator_for(update, context.application)
    return Call(update, context, t, await people.roles_of(user.id), action)


async def run(
    call: Call, action: str, work: Callable[[], Awaitable[R]], facts: Facts | None = None
) -> R | None:
    """Ask the map, run the handler, explain refusals and bad input, then arm the schedules it changed."""
    verdict = check(action, call.roles, facts)
    if not verdict.allowed:
        await refuse(call, verdict)
        return None
    try:
        with changes.collecting() as changed:
            result = await work()
    except UserError as error:
        await complain(call, explain(call.t, error))
        return None
    except RefusedError as refused:
        await refuse(call, refused.verdict)
        return None
    engine.arm_all(call.app, changed)
    return result


async def refuse(call: Call, verdict: Verdict) -> None:
    """Tell the person the map said no (an alert under a button, a reply to a message)."""
    text = denied(call.t, verdict)
    if call.update.callback_query is not None:
        await call.answer(text, alert=True)
    else:
        await call.reply(text, busy=crowd.URGENT)


async def complain(call: Call, text: str) -> None:
    """Bad input: an alert under a button, or a reply with the command's usage."""
    if call.update.callback_query is not None:
        await call.answer(text, alert=True)
        return
    lines = [text, usage(call.t, call.action)]
    await call.reply("\n".join(line for line in lines if line), busy=crowd.URGENT)


async def stale(call: Call) -> None:
    """A press the bot cannot act on: malformed, forged, from an older version, or its object is gone."""
    await call.answer(call.t("This button is out of date."), alert=True)


def gated(
    action: str, handler: Callable[[Call], Awaitable[R]]
) -> Callable[[Update, Ctx], Coroutine[Any, Any, R | None]]:
    """A PTB callback that runs `handler` through the gate under `action` (commands, form steps, files)."""

    async def through_gate(update: Update, context: Ctx) -> R | None:
        """Enter, check, run."""
        call = await enter(update, context, action)
        if call is None:
            return None
        return await run(call, action, lambda: handler(call))

    return through_gate


def command(
    name: str,
    handler: Callable[[Call], Awaitable[None]],
    *,
    filters: BaseFilter | None = None,
    action: str | None = None,
) -> CommandHandler[Any, None]:
    """`/name` through the gate; the action defaults to the command's name."""
    return CommandHandler(name, gated(action or name, handler), filters=filters)


def button(
    family: Family, load: Loader[T], handler: Callable[[Call, T], Awaitable[None]]
) -> CallbackQueryHandler[Any, None]:
    """A family's buttons through the gate: decode, find the object, check its chat, ask the map, run."""

    async def pressed(update: Update, context: Ctx) -> None:
        """One press."""
        call = await enter(update, context, family.value)
        if call is None:
            return
        call.button = decode(call.query.data)
        if call.button is None or call.button.family is not family:
            await stale(call)
            return
        target = await load(call)
        if target is None:
            await stale(call)
            return
        if target.chats is not None and call.chat_id not in target.chats:
            log.warning(
                "refused press %r by %s in chat %s: its object belongs to chats %s",
                call.query.data,
                call.user_id,
                call.chat_id,
                sorted(target.chats),
            )
            await call.answer(call.t("This button does not belong to this chat."), alert=True)
            return
        call.action = target.action
        await run(call, target.action, lambda: handler(call, target.subject), target.facts)

    return CallbackQueryHandler(pressed, pattern=pattern(family))


def message(
    filters: BaseFilter, load: Loader[T], handler: Callable[[Call, T], Awaitable[None]]
) -> MessageHandler[Any, None]:
    """A reply or a file through the gate: `load` says what it is for (None: not for this feature)."""

    async def received(update: Update, context: Ctx) -> None:
        """One message."""
        call = await enter(update, context, "")
        if call is None:
            return
        target = await load(call)
        if target is None:
            return
        call.action = target.action
        await run(call, target.action, lambda: handler(call, target.subject), target.facts)

    return Received(filters, received)


class Received(MessageHandler[Any, Any]):
    """A gate message handler: replies and files only, so any other message is turned away before PTB
    evaluates the filters (the chatter a group bot mostly sees)."""

    def check_update(self, update: object) -> Any:
        """None at once for a message that neither replies to another nor carries a file."""
        message = update.effective_message if isinstance(update, Update) else None
        if message is None or (message.reply_to_message is None and message.document is None):
            return None
        return super().check_update(update)


async def out_of_date(update: Update, context: Ctx) -> None:
    """Any press no family claims: tell the person instead of leaving the button spinning."""
    call = await enter(update, context, "")
    if call is not None and update.callback_query is not None:
        await stale(call)


def catch_all() -> BaseHandler[Update, Ctx, None]:
    """Registered last: presses with data no family reads."""
    return CallbackQueryHandler(out_of_date)


class SlashHandler(MessageHandler[Any, Any]):
    """A message handler whose filters take only text or a caption starting with "/" (a command with a photo
    or a file, an unknown command): the router asks it about nothing else."""


Routable = CommandHandler[Any, Any] | CallbackQueryHandler[Any, Any] | SlashHandler
ROUTABLE = (CommandHandler, CallbackQueryHandler, SlashHandler)


class CommandRouter(BaseHandler[Update, Ctx, Any]):
    """A run of consecutive command, button and slash handlers as one. A message that does not start with "/"
    costs one check instead of one per handler; one that does is offered, in registration order, only to
    the handlers of its command name and the slash handlers; a press only to the button handlers. Any other
    handler of the run could not take the update, so the same handler wins as with PTB's walk."""

    def __init__(self, handlers: list[Routable]) -> None:
        super().__init__(self._unused, block=all(handler.block for handler in handlers))
        self.handlers = handlers
        self.buttons = [handler for handler in handlers if isinstance(handler, CallbackQueryHandler)]
        self.slashed = [handler for handler in handlers if isinstance(handler, SlashHandler)]
        self.by_name: dict[str, list[Routable]] = {}
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                for name in handler.commands:
                    self.by_name.setdefault(name, [])
        for name, found in self.by_name.items():
            found.extend(
                h for h in handlers if isinstance(h, SlashHandler) or name in getattr(h, "commands", ())
            )

    @staticmethod
    async def _unused(update: Update, context: Ctx) -> None:
        """Never called: handle_update passes the update to the handler that matched."""

    def check_update(self, update: object) -> tuple[Routable, object] | None:
        """The first handler (in registration order) that takes this update, with its own check result."""
        if not isinstance(update, Update):
            return None
        if update.callback_query is not None:
            return first_taker(self.buttons, update)
        message = update.effective_message
        if message is None:
            return None
        body = message.text or message.caption
        if not body or body[0] != "/":
            return None
        entities = message.entities
        if (
            message.text
            and entities
            and entities[0].type == MessageEntity.BOT_COMMAND
            and not entities[0].offset
        ):
            name = message.text[1 : entities[0].length].split("@")[0].lower()
            return first_taker(self.by_name.get(name, self.slashed), update)
        return first_taker(self.slashed, update)

    async def handle_update(self, update: Update, application: Any, check_result: Any, context: Ctx) -> Any:
        """Run the handler that matched, exactly as PTB would have."""
        handler, check = check_result
        return await handler.handle_update(update, application, check, context)


def first_taker(handlers: Iterable[Routable], update: Update) -> tuple[Routable, object] | None:
    """The first handler whose check takes the update (PTB's rule: neither None nor False), with the check."""
    for handler in handlers:
        check = handler.check_update(update)
        if check is not None and check is not False:
            return handler, check
    return None


def route_commands(app: App) -> None:
    """Replace every run of consecutive command, button and slash handlers in each handler group by one
    CommandRouter (the order between them and other handlers is unchanged, so the same handler wins)."""
    for group, handlers in app.handlers.items():
        routed: list[BaseHandler[Any, Any, Any]] = []
        run: list[Routable] = []
        for handler in [*handlers, None]:
            if isinstance(handler, ROUTABLE):
                run.append(handler)
                continue
            if len(run) > 1:
                routed.append(CommandRouter(run))
            else:
                routed.extend(run)
            run = []
            if handler is not None:
                routed.append(handler)
        app.handlers[group] = routed
