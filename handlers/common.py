"""Shared plumbing for handlers: settings, the caller's language and roles, permission checks, replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.ext import CommandHandler, ContextTypes

from bot.config import Settings
from bot.enums import Role
from bot.i18n import Translator, normalise_locale, translator
from bot.services.errors import Msg, UserError
from bot.services.permissions import is_allowed, required_roles
from bot.services.team import chats, people
from bot.services.team.catalog import COMMANDS, ROLE_LABELS

Ctx = ContextTypes.DEFAULT_TYPE
SETTINGS_KEY = "settings"
EXAMPLES = {info.name: info.example for info in COMMANDS}


def settings_of(context: Ctx) -> Settings:
    """The deployment settings stored on the Application when it was built."""
    settings: Settings = context.application.bot_data[SETTINGS_KEY]
    return settings


async def translator_for(update: object, context: Ctx) -> Translator:
    """The translator for the update's chat: its own language, or the person's, or the default."""
    default: str = settings_of(context).bot_locale
    if not isinstance(update, Update) or update.effective_chat is None:
        return translator(default)
    user = update.effective_user
    if update.effective_chat.type == ChatType.PRIVATE and user is not None:
        default = normalise_locale(user.language_code) or default
    return translator(await chats.locale_of(update.effective_chat.id, default))


@dataclass(slots=True)
class Call:
    """One invocation of a command: who, where, in which language, with which roles and arguments."""

    update: Update
    context: Ctx
    t: Translator
    roles: frozenset[Role]

    @property
    def user_id(self) -> int:
        """The caller's Telegram id."""
        assert self.update.effective_user is not None
        return self.update.effective_user.id

    @property
    def chat_id(self) -> int:
        """The chat the command was typed in."""
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
        """The message that carried the command."""
        assert self.update.effective_message is not None
        return self.update.effective_message

    async def reply(self, text: str, **kwargs: Any) -> Message:
        """Answer in the same chat (quoting in groups); long text is split, buttons go on the last part."""
        quote = not self.is_private
        *first, last = split_message(text)
        for chunk in first:
            await self.message.reply_text(chunk, do_quote=quote)
        return await self.message.reply_text(last, do_quote=quote, **kwargs)


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut text into Telegram-sized pieces at line breaks (a single overlong line is cut where it must be)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            pieces += [current] if current else []
            pieces.append(line[:limit])
            current, line = "", line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    return [*pieces, current]


Handler = Callable[[Call], Awaitable[None]]


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


def denied(t: Translator, action: str) -> str:
    """Why a command was refused: the roles it needs."""
    needed = required_roles(action)
    if needed == frozenset(Role):
        return t("Sorry, this needs a role in the team: ask a supervisor to give you one with /role.")
    return t("Sorry, this needs the role: {roles}.", roles=role_names(t, needed))


def guard(name: str, handler: Handler) -> Callable[[Update, Ctx], Coroutine[Any, Any, None]]:
    """Wrap a handler: check the permission map, then turn a UserError into a reply with the usage."""

    async def guarded(update: Update, context: Ctx) -> None:
        """Check permission, run the handler, explain bad input with the usage."""
        user = update.effective_user
        if user is None or update.effective_message is None:
            return
        call = Call(update, context, await translator_for(update, context), await people.roles_of(user.id))
        if not is_allowed(name, call.roles):
            await call.reply(denied(call.t, name))
            return
        try:
            await handler(call)
        except UserError as error:
            lines = [explain(call.t, error), usage(call.t, name)]
            await call.reply("\n".join(line for line in lines if line))

    return guarded


def command(name: str, handler: Handler) -> CommandHandler[Any, None]:
    """A CommandHandler for `/name` guarded by the permission map."""
    return CommandHandler(name, guard(name, handler))
