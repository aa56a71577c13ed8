"""/digest, and finance's answers to the refund digest: Paid / Rejected buttons, or the table sent back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Document, ForceReply
from telegram.error import TelegramError
from telegram.ext import Application, filters

from bot.enums import ChatPurpose, RecordKind
from bot.i18n import N_, Translator
from bot.models import Record, Schedule
from bot.render.cards import status_buttons
from bot.render.codec import Family
from bot.render.context import App, chat_translator
from bot.render.finance_list import answer_list
from bot.services.digests import content, finance_answers
from bot.services.digests import settings as digests
from bot.services.errors import UserError
from bot.services.records import book as records
from bot.services.records import text as rt
from bot.services.scheduling import shop_calendar
from bot.services.team import chats, people
from bot.services.when import Rule
from handlers.alarms import local, rule_of
from handlers.confirm import settle
from handlers.gate import Call, Target, button, command, explain, message
from jobs import digest_posts
from jobs.engine import now

log = logging.getLogger(__name__)

PROMPTS_KEY = "finance_reject_prompts"
MAX_PROMPTS = 100
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 20
OWN_GROUP = 1
"""Reasons by reply and returned files run in a handler group of their own: group 0 already takes every reply
(notes on cards) and other features may take documents there."""


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
        lines.append(
            t(
                "  {rule} → {chat} · next: {next}",
                rule=rule_of(t, schedule),
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
        changed = await digests.switch(name, word in digests.ON_WORDS, actor_id=call.user_id, now=now())
        await call.reply(await changed_text(call, changed, name))
        return
    reading = digests.parse_rule(rest, now(), call.zone, await shop_calendar.current())

    async def save(call: Call, rule: Rule) -> None:
        """Move the digest to the reading chosen."""
        changed = await digests.retime(name, rule, actor_id=call.user_id, now=now())
        await call.reply(await changed_text(call, changed, name))

    await settle(call, "digest", reading, save)


async def changed_text(call: Call, changed: list[Schedule], name: str) -> str:
    """What a /digest change did, naming the chats it changed, then the digest as it is now."""
    titles = await digests.chat_titles(changed)
    done = call.t("✅ Changed for {chats}:", chats=call.t.join(titles.values()))
    return done + "\n" + await describe(call.t, name)


async def refresh_list(call: Call, page: int, message_id: int | None = None) -> None:
    """Redraw a finance answer list after answers changed it."""
    text, markup = answer_list(call.t, await content.waiting_for_finance(page))
    shown = message_id or call.message.message_id
    try:
        await call.context.bot.edit_message_text(
            text, chat_id=call.chat_id, message_id=shown, reply_markup=markup
        )
    except TelegramError as exc:  # unchanged, or deleted meanwhile: the next press redraws it
        log.info("finance list %s/%s not redrawn: %s", call.chat_id, shown, exc)


async def finance_chats() -> frozenset[int]:
    """Where finance answers: the registered finance chat."""
    return frozenset(await chats.of_purpose(ChatPurpose.FINANCE))


async def load_answer(call: Call) -> Target[Record | None] | None:
    """The refund a finance button answers (nothing for a page button); only in the finance chat."""
    assert call.button is not None
    where = await finance_chats()
    if call.button.verb == "page":
        return Target(None, "finance.list", where)
    record = await Record.get_or_none(id=call.button.id)
    if record is None or record.kind != RecordKind.REFUND:
        return None
    action = "refund.paid" if call.button.verb == "paid" else "refund.rejected"
    return Target(record, action, where)


async def press(call: Call, record: Record | None) -> None:
    """✅ paid, ❌ rejected (asks for the reason) or a page button under the finance answer list."""
    assert call.button is not None
    page = max(1, call.button.arg)
    if record is None:
        await call.answer()
        await refresh_list(call, page)
        return
    if call.button.verb == "reject":
        await call.answer()
        await ask_reason(call, record, page)
        return
    try:
        await records.change_status(record, finance_answers.PAID, actor_id=call.user_id, chat_id=call.chat_id)
    except UserError as error:
        await call.answer(explain(call.t, error), alert=True)
    else:
        await call.answer(
            call.t("{id}: {status}", id=record.short_id, status=call.t(rt.STATUS_LABELS["paid"]))
        )
    await refresh_list(call, page)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A "why is it rejected?" question waiting for finance's reply, and the list it came from."""

    record_id: int
    list_id: int
    page: int


async def ask_reason(call: Call, record: Record, page: int) -> None:
    """Ask finance why a refund is rejected; the reply to this question rejects it (the list is then redrawn).

    The question is remembered in memory: after a restart finance presses ❌ again.
    """
    assert call.context.chat_data is not None
    prompt = await call.context.bot.send_message(
        call.chat_id,
        call.t("❌ Why is {id} rejected? Reply to this message with the reason.", id=record.short_id),
        reply_markup=ForceReply(input_field_placeholder=call.t("reason")),
    )
    prompts: dict[int, Prompt] = call.context.chat_data.setdefault(PROMPTS_KEY, {})
    while len(prompts) >= MAX_PROMPTS:
        prompts.pop(next(iter(prompts)))
    prompts[prompt.message_id] = Prompt(record.id, call.message.message_id, page)


async def load_reason(call: Call) -> Target[Prompt] | None:
    """A reply to a "why is it rejected?" question of this chat; None for any other message."""
    replied = call.message.reply_to_message
    prompts: dict[int, Prompt] = (call.context.chat_data or {}).get(PROMPTS_KEY, {})
    asked = prompts.get(replied.message_id) if replied is not None else None
    return None if asked is None else Target(asked, "refund.rejected", await finance_chats())


async def reason_reply(call: Call, asked: Prompt) -> None:
    """A reply to "why is it rejected?": reject the refund with that reason and tell the team."""
    record = await Record.get(id=asked.record_id)
    reason = " ".join((call.message.text or "").split())[: finance_answers.REASON_MAX]
    await records.change_status(
        record, finance_answers.REJECTED, actor_id=call.user_id, chat_id=call.chat_id, reason=reason
    )
    assert call.message.reply_to_message is not None and call.context.chat_data is not None
    call.context.chat_data[PROMPTS_KEY].pop(call.message.reply_to_message.message_id, None)
    await tell_team(call.app, record, reason, await name_of(call.user_id))
    await call.message.reply_text(
        call.t("❌ {id} rejected: {reason}. The team was told.", id=record.short_id, reason=reason)
    )
    await refresh_list(call, asked.page, asked.list_id)


async def name_of(user_id: int) -> str:
    """How the team knows a person."""
    person = await people.get(user_id)
    return person.display_name if person else str(user_id)


async def tell_team(app: App, record: Record, reason: str, who: str) -> None:
    """Post a rejected refund back to the chat it was logged in, with finance's reason and its buttons."""
    t = await chat_translator(app, record.chat_id)
    text = "\n".join(
        [
            t("❌ Finance ({name}) rejected {id}: {reason}", name=who, id=record.short_id, reason=reason),
            rt.summary(t, record),
            t("Correct it with /edit {id}, then press “→ sent to finance”.", id=record.short_id),
        ]
    )
    try:
        sent = await app.bot.send_message(record.chat_id, text, reply_markup=status_buttons(t, record))
    except TelegramError as exc:
        log.error("rejection of %s could not be posted to chat %s: %s", record.short_id, record.chat_id, exc)
        return
    await records.remember_card(record, sent.chat_id, sent.message_id)


async def load_returned_file(call: Call) -> Target[Document] | None:
    """A spreadsheet sent in the finance chat with a caption, or as a reply to the bot: finance's answers."""
    document = call.message.document
    replied = call.message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == call.context.bot.id
    )
    if document is None or not (call.message.caption or to_bot):
        return None
    if not await digests.is_finance_chat(call.chat_id):
        return None
    return Target(document, "finance.file")


async def returned_file(call: Call, document: Document) -> None:
    """The refund table sent back with a result column: every row checked, then all applied or none."""
    if (document.file_size or 0) > MAX_FILE_BYTES:
        raise UserError(N_("The file is larger than 5 MB: send only the refund table."))
    data = await (await call.context.bot.get_file(document.file_id)).download_as_bytearray()
    try:
        reading = await finance_answers.read_file(bytes(data), document.file_name or "")
        answers = await finance_answers.apply(reading, actor_id=call.user_id, chat_id=call.chat_id)
    except finance_answers.TableError as bad:
        await call.message.reply_text(problems_text(call.t, bad.problems))
        return
    rejected = [answer for answer in answers if answer.status == finance_answers.REJECTED]
    who = await name_of(call.user_id)
    for answer in rejected:
        await tell_team(call.app, answer.record, answer.reason or "", who)
    await call.message.reply_text(
        call.t(
            "✅ Answers recorded: {paid} paid, {rejected} rejected. Already answered: {unchanged}. "
            "Blank: {blank}.",
            paid=len(answers) - len(rejected),
            rejected=len(rejected),
            unchanged=reading.unchanged,
            blank=reading.blank,
        )
    )
    shown = await digests.latest_part(call.chat_id, digest_posts.LIST_PART)
    if shown is not None:
        await refresh_list(call, 1, shown)


def problems_text(t: Translator, problems: list[finance_answers.Problem]) -> str:
    """Every bad row and why, so finance can fix the file in one go."""
    lines = [t("Nothing was changed. Fix these rows and send the file again:")]
    lines += [
        t("• row {row}: {problem}", row=p.row, problem=explain(t, p.error)) for p in problems[:MAX_PROBLEMS]
    ]
    if len(problems) > MAX_PROBLEMS:
        lines.append(t("… and {count} more.", count=len(problems) - MAX_PROBLEMS))
    return "\n".join(lines)


UNSENT_WORDS = frozenset({"all", "unsent", "everything", "全部", "所有", "未发送", "未发"})
YESTERDAY_WORDS = frozenset({"", "yesterday", "昨天", "昨日"})


async def finance_now(call: Call) -> None:
    """Finance's refund table on request, in the finance group: yesterday's (as the morning table brings
    it, with older refunds never sent), or with `all` every refund not yet sent, today's included."""
    if call.chat_id not in await finance_chats():
        raise UserError(N_("Ask in the finance group: the refund table holds customer data."))
    word = " ".join(call.args).strip().lower()
    if word in UNSENT_WORDS:
        found, what, slug = await content.unsent_refunds(), call.t("everything not yet sent"), "unsent"
    elif word in YESTERDAY_WORDS:
        day = content.previous_day(now(), call.zone)
        found, what, slug = await content.finance_refunds(day, call.zone), str(day), str(day)
    else:
        raise UserError(N_("Which refunds? yesterday, or all (everything not yet sent)."))
    if not found:
        await call.reply(call.t("💰 No refund is waiting to be sent to finance."))
        return
    await call.message.reply_document(
        content.finance_table(call.t, found),
        filename=f"refunds-{slug}.xlsx",
        caption=content.finance_caption(call.t, found, what),
    )
    await content.send_to_finance(found, actor_id=call.user_id, chat_id=call.chat_id)
    text, markup = answer_list(call.t, await content.waiting_for_finance(1))
    await call.message.reply_text(text, reply_markup=markup)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /digest, /finance, the finance buttons, reasons by reply and returned refund tables."""
    app.add_handler(command("digest", digest))
    app.add_handler(command("finance", finance_now))
    app.add_handler(button(Family.FINANCE, load_answer, press))
    replies = filters.REPLY & filters.TEXT & ~filters.COMMAND
    app.add_handler(message(replies, load_reason, reason_reply), group=OWN_GROUP)
    files = filters.Document.ALL & filters.ChatType.GROUPS
    app.add_handler(message(files, load_returned_file, returned_file), group=OWN_GROUP)
