"""`/refund` alone: a guided form, one question at a time, buttons for fixed choices, /cancel to stop.

The form runs in the private chat with the bot: it asks for the buyer's real name and Alipay account, which
must never be typed into a group. `/refund` alone in a group answers with a deep-link button, "Continue in
private 🔒", that opens the private chat on the form for that group (only for whoever asked); once saved, the
group gets the masked card and the person sees the card in private.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.enums import RecordKind
from bot.i18n import N_, Translator
from bot.render import deeplink
from bot.render.codec import Button, Family, decode
from bot.render.keyboards import keyboard, press
from bot.services.errors import UserError
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.records import text as rt
from bot.services.team import rules
from handlers import links
from handlers.gate import Call, explain, gated, stale
from handlers.records import store
from jobs.engine import now

FORM_KEY = "refund_form"
ORIGIN_KEY = "refund_form_chat"
TIMEOUT_SECONDS = 600
LINK_KIND = "form"
LINK_TTL = timedelta(seconds=TIMEOUT_SECONDS)


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the form: the field it fills, the question, and its fixed choices if any."""

    field: str
    question: str
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def optional(self) -> bool:
        """Whether the step may be skipped: only what finance does not need to pay the refund."""
        return self.field not in rf.FINANCE_FIELDS


STEPS: tuple[Step, ...] = (
    Step("order", N_("Order number?")),
    Step("amount", N_("Amount to refund, in yuan (e.g. 12.5)?")),
    Step("reason", N_("Reason?")),
    Step("buyer", N_("Buyer's platform ID (旺旺名)?")),
    Step("name", N_("Buyer's real name (实名)?")),
    Step("alipay", N_("Alipay account (e-mail or phone)?")),
    Step(
        "postage",
        N_("Who pays the return postage?"),
        (("buyer", N_("buyer pays")), ("shop", N_("shop pays")), ("split", N_("split 50:50"))),
    ),
    Step(
        "insured",
        N_("Does the buyer have return-shipping insurance (运费险)?"),
        (("yes", N_("yes")), ("no", N_("no"))),
    ),
    Step("tracking", N_("Return tracking number?")),
)
"""Every field finance needs is asked and cannot be skipped; insurance and return tracking may be."""
CONFIRM = len(STEPS)


def step_keyboard(t: Translator, step: Step) -> InlineKeyboardMarkup | None:
    """Buttons for a step: its choices, and Skip when it is optional."""
    row = [press(t(label), Family.FORM, value) for value, label in step.choices]
    if step.optional:
        row.append(press(t("Skip"), Family.FORM, "skip"))
    return keyboard(row)


def values_of(call: Call) -> dict[str, Any]:
    """The answers so far, kept per person and chat while the form runs."""
    assert call.context.user_data is not None
    values: dict[str, Any] = call.context.user_data.setdefault(FORM_KEY, {})
    return values


async def ask(call: Call, index: int, problem: str = "") -> int:
    """Ask question `index` (or show the summary with Save/Cancel when all are answered)."""
    t = call.t
    if index == CONFIRM:
        lines = [t("Refund to save:")]
        lines += [
            f"{t(rf.FIELD_BY_KEY[k].label)}: {rt.show_value(t, k, v, not call.is_private)}"
            for k, v in values_of(call).items()
        ]
        markup = keyboard([press(t("Save"), Family.FORM, "save"), press(t("Cancel"), Family.FORM, "cancel")])
        await call.context.bot.send_message(call.chat_id, "\n".join(lines), reply_markup=markup)
        return CONFIRM
    step = STEPS[index]
    text = t(step.question) if not problem else f"{problem}\n{t(step.question)}"
    step_of = t("({n}/{total})", n=index + 1, total=len(STEPS))
    await call.context.bot.send_message(
        call.chat_id, f"{step_of} {text}", reply_markup=step_keyboard(t, step)
    )
    return index


async def start(call: Call) -> int:
    """Begin the form here in private; in a group, offer the private chat instead (the form asks for the
    buyer's real name and Alipay account, which never go into a group)."""
    if not call.is_private:
        url = await deeplink.make(
            call.context.bot, LINK_KIND, call.chat_id, call.user_id, now=now(), ttl=LINK_TTL
        )
        await call.reply(
            call.t(
                "📝 The refund form continues in our private chat, so the buyer's real name and Alipay "
                "account stay out of the group. When you save it, the card comes back here with them masked."
            ),
            reply_markup=keyboard([deeplink.button(call.t("Continue in private 🔒"), url)]),
        )
        return ConversationHandler.END
    return await begin(call, call.chat_id)


async def open_link(call: Call) -> int:
    """`/start form-…` from the group's button: begin the form for that group."""
    link = await links.take(call, LINK_KIND, once=True)
    return await begin(call, int(link.ref))


async def begin(call: Call, origin: int) -> int:
    """Ask the first question; the record will be logged for `origin` (a group, or this private chat)."""
    assert call.context.user_data is not None
    call.context.user_data[FORM_KEY] = {}
    call.context.user_data[ORIGIN_KEY] = origin
    await call.reply(call.t("Let's log a refund. Answer each question; /cancel stops."))
    return await ask(call, 0)


async def answer(call: Call, index: int, raw: str | None) -> int:
    """Check one answer (None: skip); keep it and move on, or ask again naming the problem."""
    step = STEPS[index]
    if raw is None and not step.optional:
        return await ask(call, index, call.t("This one cannot be skipped: finance needs it."))
    if raw is not None:
        try:
            values_of(call)[step.field] = rf.FIELD_BY_KEY[step.field].parse(raw, await rules.current())
        except UserError as error:
            return await ask(call, index, explain(call.t, error))
    return await ask(call, index + 1)


def text_step(index: int):  # type: ignore[no-untyped-def]
    """The handler for a typed answer to question `index` (`-` skips an optional one)."""

    async def typed(call: Call) -> int:
        """A typed answer."""
        raw = (call.message.text or "").strip()
        return await answer(call, index, None if raw == "-" else raw)

    return typed


def button_step(index: int):  # type: ignore[no-untyped-def]
    """The handler for a button answer to question `index`."""

    async def pressed(call: Call) -> int | None:
        """A button answer: the choice, or Skip."""
        found = await taken(call, {"skip", *dict(STEPS[index].choices)})
        if found is None:
            return None  # the form stays at this question
        return await answer(call, index, None if found.verb == "skip" else found.verb)

    return pressed


async def taken(call: Call, verbs: set[str]) -> Button | None:
    """The form's own button a press carries, its keyboard then taken away; None, answered "out of date", for
    anything else (forged, malformed, or pressed under a message that no longer shows it)."""
    found = decode(call.query.data)
    shown = call.keyboard_data or frozenset()
    if (
        found is None
        or found.family is not Family.FORM
        or found.verb not in verbs
        or call.query.data not in shown
    ):
        await stale(call)
        return None
    await call.answer()
    await call.query.edit_message_reply_markup(None)
    return found


async def confirm(call: Call) -> int | None:
    """Save or cancel from the summary."""
    found = await taken(call, {"save", "cancel"})
    if found is None:
        return None
    if found.verb == "cancel":
        return await cancel(call)
    assert call.context.user_data is not None
    values = call.context.user_data.pop(FORM_KEY, {})
    origin = call.context.user_data.pop(ORIGIN_KEY, call.chat_id)
    await store(call, records.Draft(RecordKind.REFUND, values), force=False, chat_id=origin)
    return ConversationHandler.END


async def cancel(call: Call) -> int:
    """Stop the form; nothing is stored."""
    assert call.context.user_data is not None
    call.context.user_data.pop(FORM_KEY, None)
    call.context.user_data.pop(ORIGIN_KEY, None)
    await call.context.bot.send_message(call.chat_id, call.t("Cancelled: nothing was saved."))
    return ConversationHandler.END


async def timed_out(call: Call) -> None:
    """Tell the person their unfinished form was dropped."""
    assert call.context.user_data is not None
    call.context.user_data.pop(FORM_KEY, None)
    call.context.user_data.pop(ORIGIN_KEY, None)
    await call.context.bot.send_message(call.chat_id, call.t("The refund form timed out: nothing was saved."))


class Form(ConversationHandler[Any]):
    """PTB's conversation, asked first about every update: while nobody has a form open, only a command can
    open one, so anything else is turned away in one check instead of a walk through the entry points."""

    def check_update(self, update: object) -> Any:
        """None at once for what cannot open a form when none is open; otherwise PTB's own check."""
        if not self._conversations and not is_command_like(update):
            return None
        return super().check_update(update)


def is_command_like(update: object) -> bool:
    """Whether an update is a message whose text starts with "/"."""
    message = update.effective_message if isinstance(update, Update) else None
    text = message.text if message is not None else None
    return text is not None and text.startswith("/")


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the form; it must come before the plain /refund command, which handles /refund with arguments."""
    typed = filters.TEXT & ~filters.COMMAND
    choice = rf"^{Family.FORM.value}\d+:(?!save:|cancel:)"
    states: dict[object, list[Any]] = {
        index: [
            MessageHandler(typed, gated("refund", text_step(index))),
            CallbackQueryHandler(gated("refund", button_step(index)), pattern=choice),
        ]
        for index in range(len(STEPS))
    }
    decided = rf"^{Family.FORM.value}\d+:(save|cancel):"
    states[CONFIRM] = [CallbackQueryHandler(gated("refund", confirm), pattern=decided)]
    states[ConversationHandler.TIMEOUT] = [
        MessageHandler(filters.ALL, gated("refund", timed_out)),
        CallbackQueryHandler(gated("refund", timed_out)),
    ]
    with warnings.catch_warnings():
        # Buttons are meant per (chat, person), not per message: PTB's per_message hint does not apply.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        form = Form(
            entry_points=[
                CommandHandler(
                    "refund", gated("refund", start), filters=filters.Regex(r"^/refund(@\w+)?\s*$")
                ),
                CommandHandler(
                    "start",
                    gated("refund", open_link),
                    filters=filters.ChatType.PRIVATE & filters.Regex(deeplink.starts(LINK_KIND)),
                ),
            ],
            states=states,
            fallbacks=[CommandHandler("cancel", gated("refund", cancel))],
            conversation_timeout=TIMEOUT_SECONDS,
            allow_reentry=True,
            name="refund_form",
        )
    app.add_handler(form)
