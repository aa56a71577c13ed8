"""`/refund` alone: a guided form, one question at a time, buttons for fixed choices, /cancel to stop."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
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
from bot.services.errors import UserError
from bot.services.permissions import is_allowed
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.records import text as rt
from bot.services.team import people, rules
from handlers.common import Call, Ctx, denied, explain, translator_for
from handlers.records import store

FORM_KEY = "refund_form"
TIMEOUT_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the form: the field it fills, the question, and its fixed choices if any."""

    field: str
    question: str
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False


STEPS: tuple[Step, ...] = (
    Step("order", N_("Order number?")),
    Step("amount", N_("Amount to refund, in yuan (e.g. 12.5)?")),
    Step("reason", N_("Reason?"), optional=True),
    Step("buyer", N_("Buyer's platform ID (旺旺名)?"), optional=True),
    Step("name", N_("Buyer's real name (实名)?"), optional=True),
    Step("alipay", N_("Alipay account (e-mail or phone)?"), optional=True),
    Step(
        "postage",
        N_("Who pays the return postage?"),
        (("buyer", N_("buyer pays")), ("shop", N_("shop pays")), ("split", N_("split 50:50"))),
        optional=True,
    ),
    Step(
        "insured",
        N_("Does the buyer have return-shipping insurance (运费险)?"),
        (("yes", N_("yes")), ("no", N_("no"))),
    ),
    Step("tracking", N_("Return tracking number?"), optional=True),
)
CONFIRM = len(STEPS)


def keyboard(t: Translator, step: Step) -> InlineKeyboardMarkup | None:
    """Buttons for a step: its choices, and Skip when it is optional."""
    row = [InlineKeyboardButton(t(label), callback_data=f"rf:{value}") for value, label in step.choices]
    if step.optional:
        row.append(InlineKeyboardButton(t("Skip"), callback_data="rf:-"))
    return InlineKeyboardMarkup([row]) if row else None


async def ask(update: Update, context: Ctx, index: int, problem: str = "") -> int:
    """Ask question `index` (or show the summary with Save/Cancel when all are answered)."""
    t = await translator_for(update, context)
    chat = update.effective_chat
    assert chat is not None
    if index == CONFIRM:
        values: dict[str, rf.Value] = context.user_data[FORM_KEY]  # type: ignore[index]
        lines = [t("Refund to save:")]
        masked = chat.type != ChatType.PRIVATE
        lines += [
            f"{t(rf.FIELD_BY_KEY[k].label)}: {rt.show_value(t, k, v, masked)}" for k, v in values.items()
        ]
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t("Save"), callback_data="rf:save"),
                    InlineKeyboardButton(t("Cancel"), callback_data="rf:cancel"),
                ]
            ]
        )
        await context.bot.send_message(chat.id, "\n".join(lines), reply_markup=markup)
        return CONFIRM
    step = STEPS[index]
    text = t(step.question) if not problem else f"{problem}\n{t(step.question)}"
    step_of = t("({n}/{total})", n=index + 1, total=len(STEPS))
    await context.bot.send_message(chat.id, f"{step_of} {text}", reply_markup=keyboard(t, step))
    return index


async def start(update: Update, context: Ctx) -> int:
    """Begin the form for this person in this chat."""
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    t = await translator_for(update, context)
    if not is_allowed("refund", await people.roles_of(user.id)):
        await message.reply_text(denied(t, "refund"))
        return ConversationHandler.END
    context.user_data[FORM_KEY] = {}  # type: ignore[index]
    await message.reply_text(t("Let's log a refund. Answer each question; /cancel stops."))
    return await ask(update, context, 0)


async def answer(update: Update, context: Ctx, index: int, raw: str) -> int:
    """Check one answer; keep it and move on, or ask again naming the problem."""
    step = STEPS[index]
    values: dict[str, Any] = context.user_data[FORM_KEY]  # type: ignore[index]
    if raw != "-":
        try:
            values[step.field] = rf.FIELD_BY_KEY[step.field].parse(raw, await rules.current())
        except UserError as error:
            t = await translator_for(update, context)
            return await ask(update, context, index, explain(t, error))
    return await ask(update, context, index + 1)


def text_step(index: int):  # type: ignore[no-untyped-def]
    """The handler for a typed answer to question `index`."""

    async def typed(update: Update, context: Ctx) -> int:
        """A typed answer."""
        assert update.effective_message is not None and update.effective_message.text is not None
        return await answer(update, context, index, update.effective_message.text)

    return typed


def button_step(index: int):  # type: ignore[no-untyped-def]
    """The handler for a button answer to question `index`."""

    async def pressed(update: Update, context: Ctx) -> int:
        """A button answer: the choice, or `-` to skip."""
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer()
        await query.edit_message_reply_markup(None)
        return await answer(update, context, index, query.data.removeprefix("rf:"))

    return pressed


async def confirm(update: Update, context: Ctx) -> int:
    """Save or cancel from the summary."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    if query.data == "rf:cancel":
        return await cancel(update, context)
    values = context.user_data.pop(FORM_KEY, {})  # type: ignore[union-attr]
    t = await translator_for(update, context)
    call = Call(update, context, t, await people.roles_of(update.effective_user.id))
    await store(call, records.Draft(RecordKind.REFUND, values), force=False)
    return ConversationHandler.END


async def cancel(update: Update, context: Ctx) -> int:
    """Stop the form; nothing is stored."""
    context.user_data.pop(FORM_KEY, None)  # type: ignore[union-attr]
    t = await translator_for(update, context)
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, t("Cancelled: nothing was saved."))
    return ConversationHandler.END


async def timed_out(update: Update, context: Ctx) -> None:
    """Tell the person their unfinished form was dropped."""
    context.user_data.pop(FORM_KEY, None)  # type: ignore[union-attr]
    t = await translator_for(update, context)
    if update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id, t("The refund form timed out: nothing was saved.")
        )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the form; it must come before the plain /refund command, which handles /refund with arguments."""
    typed = filters.TEXT & ~filters.COMMAND
    states: dict[object, list[Any]] = {
        index: [
            MessageHandler(typed, text_step(index)),
            CallbackQueryHandler(button_step(index), pattern=r"^rf:(?!save$|cancel$)"),
        ]
        for index in range(len(STEPS))
    }
    states[CONFIRM] = [CallbackQueryHandler(confirm, pattern=r"^rf:(save|cancel)$")]
    states[ConversationHandler.TIMEOUT] = [
        MessageHandler(filters.ALL, timed_out),
        CallbackQueryHandler(timed_out),
    ]
    with warnings.catch_warnings():
        # Buttons are meant per (chat, person), not per message: PTB's per_message hint does not apply.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        form = ConversationHandler(
            entry_points=[CommandHandler("refund", start, filters=filters.Regex(r"^/refund(@\w+)?\s*$"))],
            states=states,
            fallbacks=[CommandHandler("cancel", cancel)],
            conversation_timeout=TIMEOUT_SECONDS,
            name="refund_form",
        )
    app.add_handler(form)
