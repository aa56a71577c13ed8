"""/digest, and finance's answers to the refund digest: Paid / Rejected buttons, or the table sent back."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.i18n import N_, Translator
from bot.models import Record
from bot.services import sheets
from bot.services.digests import content, finance_answers
from bot.services.digests import settings as digests
from bot.services.errors import UserError
from bot.services.permissions import is_allowed
from bot.services.records import book as records
from bot.services.records import text as rt
from bot.services.scheduling import schedules, timespec
from bot.services.team import people
from handlers.alarms import local
from handlers.cards import status_buttons
from handlers.common import Call, Ctx, command, denied, explain, settings_of, translator_for
from handlers.finance_list import answer_list
from jobs import alarms as engine
from jobs import digest_posts

log = logging.getLogger(__name__)

PROMPTS_KEY = "finance_reject_prompts"
MAX_PROMPTS = 100
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 20
OWN_GROUP = 1
"""Reasons by reply and returned files run in a handler group of their own: group 0 already takes every reply
(notes on cards) and other features may take documents there."""


def zone_of(call: Call) -> ZoneInfo:
    """The shop's zone, in which digest times are read."""
    return ZoneInfo(settings_of(call.context).bot_timezone)


async def describe(t: Translator, name: str) -> str:
    """One digest in the list: its time, the chats it goes to and when it comes next."""
    label = t(digests.LABELS[name])
    found = await digests.of_name(name)
    if not found:
        return t(
            "• {label}: no group gets it yet, register one with /setup {purpose}.",
            label=label,
            purpose=digests.PURPOSE[name].value,
        )
    titles = await digests.chat_titles(found)
    lines = [f"• {label}:"]
    for schedule in found:
        rule = timespec.describe(timespec.from_json(schedule.rule), t, schedules.zone_of(schedule))
        lines.append(
            t(
                "  {rule} → {chat} · next: {next}",
                rule=rule,
                chat=titles.get(schedule.chat_id),
                next=local(t, schedule),
            )
        )
    return "\n".join(lines)


async def digest(call: Call) -> None:
    """List the digests, or change one: `/digest finance 08:30`, `/digest supervisors off`."""
    if not call.args:
        lines = [call.t("Digests (change with /digest <name> <time> or off / on):")]
        lines += [await describe(call.t, name) for name in digests.NAMES]
        await call.reply("\n".join(lines))
        return
    name = digests.parse_name(call.args[0])
    rest = call.args[1:]
    if not rest:
        raise UserError(
            N_("Say when, or off / on, e.g. /digest {name} 08:30 or /digest {name} off."), name=name
        )
    word = rest[0].lower() if len(rest) == 1 else ""
    if word in digests.OFF_WORDS | digests.ON_WORDS:
        changed = await digests.switch(
            name, word in digests.ON_WORDS, actor_id=call.user_id, now=engine.now()
        )
    else:
        rule = digests.parse_rule(rest, engine.now(), zone_of(call))
        changed = await digests.retime(name, rule, actor_id=call.user_id, now=engine.now())
    for schedule in changed:
        engine.plan(call.context.application, schedule)
    await call.reply(call.t("✅ Done.") + "\n" + await describe(call.t, name))


async def may_answer(update: Update, context: Ctx) -> Translator | None:
    """The chat's translator when the person may answer for finance; otherwise they are told why, and None."""
    t = await translator_for(update, context)
    user = update.effective_user
    assert user is not None
    if is_allowed("finance_answer", await people.roles_of(user.id)):
        return t
    if update.callback_query:
        await update.callback_query.answer(denied(t, "finance_answer"), show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(denied(t, "finance_answer"))
    return None


async def refresh_list(context: Ctx, t: Translator, chat_id: int, message_id: int, page: int) -> None:
    """Redraw a finance answer list after answers changed it."""
    text, markup = answer_list(t, await content.waiting_for_finance(page))
    try:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except TelegramError as exc:  # unchanged, or deleted meanwhile: the next press redraws it
        log.info("finance list %s/%s not redrawn: %s", chat_id, message_id, exc)


async def press(update: Update, context: Ctx) -> None:
    """✅ paid, ❌ rejected (asks for the reason) or a page button under the finance answer list."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await may_answer(update, context)
    if t is None:
        return
    parts = query.data.split(":")
    chat_id, message_id = query.message.chat_id, query.message.message_id
    if parts[1] == "g":
        await query.answer()
        await refresh_list(context, t, chat_id, message_id, int(parts[2]))
        return
    record = await Record.get_or_none(id=int(parts[2]))
    if record is None:
        await query.answer(t("This record no longer exists."), show_alert=True)
        return
    page = int(parts[3])
    if parts[1] == "r":
        await query.answer()
        await ask_reason(context, t, record, chat_id, (message_id, page))
        return
    try:
        await records.change_status(
            record, finance_answers.PAID, actor_id=query.from_user.id, chat_id=chat_id
        )
    except UserError as error:
        await query.answer(explain(t, error), show_alert=True)
    else:
        await query.answer(t("{id}: {status}", id=record.short_id, status=t(rt.STATUS_LABELS["paid"])))
    await refresh_list(context, t, chat_id, message_id, page)


async def ask_reason(
    context: Ctx, t: Translator, record: Record, chat_id: int, shown: tuple[int, int]
) -> None:
    """Ask finance why a refund is rejected; the reply to this question rejects it (the list is then redrawn).

    The question is remembered in memory: after a restart finance presses ❌ again.
    """
    assert context.chat_data is not None
    prompt = await context.bot.send_message(
        chat_id,
        t("❌ Why is {id} rejected? Reply to this message with the reason.", id=record.short_id),
        reply_markup=ForceReply(input_field_placeholder=t("reason")),
    )
    prompts: dict[int, tuple[int, int, int]] = context.chat_data.setdefault(PROMPTS_KEY, {})
    while len(prompts) >= MAX_PROMPTS:
        prompts.pop(next(iter(prompts)))
    prompts[prompt.message_id] = (record.id, *shown)


async def reason_reply(update: Update, context: Ctx) -> None:
    """A reply to "why is it rejected?": reject the refund with that reason and tell the team."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or message.from_user is None:
        return
    prompts: dict[int, tuple[int, int, int]] = (context.chat_data or {}).get(PROMPTS_KEY, {})
    asked = prompts.get(message.reply_to_message.message_id)
    if asked is None:
        return
    t = await may_answer(update, context)
    if t is None:
        return
    record_id, list_id, page = asked
    record = await Record.get(id=record_id)
    reason = " ".join((message.text or "").split())[: finance_answers.REASON_MAX]
    try:
        await records.change_status(
            record,
            finance_answers.REJECTED,
            actor_id=message.from_user.id,
            chat_id=message.chat_id,
            reason=reason,
        )
    except UserError as error:
        await message.reply_text(explain(t, error))
        return
    prompts.pop(message.reply_to_message.message_id, None)
    await tell_team(context, record, reason, await name_of(message.from_user.id))
    await message.reply_text(
        t("❌ {id} rejected: {reason}. The team was told.", id=record.short_id, reason=reason)
    )
    await refresh_list(context, t, message.chat_id, list_id, page)


async def name_of(user_id: int) -> str:
    """How the team knows a person."""
    person = await people.get(user_id)
    return person.display_name if person else str(user_id)


async def tell_team(context: Ctx, record: Record, reason: str, who: str) -> None:
    """Post a rejected refund back to the chat it was logged in, with finance's reason and its buttons."""
    t = await engine.chat_translator(context.application, record.chat_id)
    text = "\n".join(
        [
            t("❌ Finance ({name}) rejected {id}: {reason}", name=who, id=record.short_id, reason=reason),
            rt.summary(t, record),
            t("Correct it with /edit {id}, then press “→ sent to finance”.", id=record.short_id),
        ]
    )
    try:
        sent = await context.bot.send_message(record.chat_id, text, reply_markup=status_buttons(t, record))
    except TelegramError as exc:
        log.error("rejection of %s could not be posted to chat %s: %s", record.short_id, record.chat_id, exc)
        return
    await records.remember_card(record, sent.chat_id, sent.message_id)


def is_answer_file(message: Message, bot_id: int) -> bool:
    """A spreadsheet sent with a caption, or as a reply to the bot, is finance answering the refund table."""
    replied = message.reply_to_message
    return bool(message.caption) or (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    )


async def returned_file(update: Update, context: Ctx) -> None:
    """The refund table sent back with a result column: every row checked, then all applied or none."""
    message = update.effective_message
    if message is None or message.document is None or message.from_user is None:
        return
    if not is_answer_file(message, context.bot.id) or not await digests.is_finance_chat(message.chat_id):
        return
    t = await may_answer(update, context)
    if t is None:
        return
    document = message.document
    try:
        if (document.file_size or 0) > MAX_FILE_BYTES:
            raise UserError(N_("The file is larger than 5 MB: send only the refund table."))
        data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
        table = sheets.read_table(bytes(data), document.file_name or "")
        reading = await finance_answers.read(table)
        answers = await finance_answers.apply(reading, actor_id=message.from_user.id, chat_id=message.chat_id)
    except UserError as error:
        await message.reply_text(explain(t, error))
        return
    except finance_answers.TableError as bad:
        await message.reply_text(problems_text(t, bad.problems))
        return
    rejected = [answer for answer in answers if answer.status == finance_answers.REJECTED]
    who = await name_of(message.from_user.id)
    for answer in rejected:
        await tell_team(context, answer.record, answer.reason or "", who)
    await message.reply_text(
        t(
            "✅ Answers recorded: {paid} paid, {rejected} rejected. Already answered: {unchanged}. "
            "Blank: {blank}.",
            paid=len(answers) - len(rejected),
            rejected=len(rejected),
            unchanged=reading.unchanged,
            blank=reading.blank,
        )
    )
    shown = await digests.latest_part(message.chat_id, digest_posts.LIST_PART)
    if shown is not None:
        await refresh_list(context, t, message.chat_id, shown, 1)


def problems_text(t: Translator, problems: list[finance_answers.Problem]) -> str:
    """Every bad row and why, so finance can fix the file in one go."""
    lines = [t("Nothing was changed. Fix these rows and send the file again:")]
    lines += [
        t("• row {row}: {problem}", row=p.row, problem=explain(t, p.error)) for p in problems[:MAX_PROBLEMS]
    ]
    if len(problems) > MAX_PROBLEMS:
        lines.append(t("… and {count} more.", count=len(problems) - MAX_PROBLEMS))
    return "\n".join(lines)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /digest, the finance buttons, reasons by reply and returned refund tables."""
    app.add_handler(command("digest", digest))
    app.add_handler(CallbackQueryHandler(press, pattern=r"^fa:(g:\d+|[pr]:\d+:\d+)$"))
    replies = filters.REPLY & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(replies, reason_reply), group=OWN_GROUP)
    app.add_handler(
        MessageHandler(filters.Document.ALL & filters.ChatType.GROUPS, returned_file), group=OWN_GROUP
    )
