"""/roster template and /roster import: the monthly roster travels as a spreadsheet."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Document
from telegram.ext import Application, filters

from bot.i18n import N_, Translator
from bot.services.errors import UserError
from bot.services.shifts import postings as ss
from bot.services.shifts import roster_import
from bot.services.when import format_day, read_stretch
from handlers.gate import Call, SlashHandler, explain, gated
from jobs.engine import now

MAX_FILE_BYTES = 2 * 1024 * 1024
CAPTION = r"^/roster(@\w+)?\s+(import|导入)(\s|$)"


def month_of(words: list[str], today: date) -> date:
    """The first day of the month asked for (2026-12, 下个月, next month), next month by default."""
    if not words:
        return (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return read_stretch(" ".join(words), today)[0].replace(day=1)


async def send_template(call: Call, words: list[str]) -> None:
    """Send the month's roster as an xlsx to fill in."""
    first = month_of(words, call.today)
    data = await roster_import.template(call.t, first)
    await call.message.reply_document(
        document=data,
        filename=f"roster-{first:%Y-%m}.xlsx",
        caption=call.t(
            "Fill in one row per person: day, night or off (白班, 晚班, 休) under each date; an empty cell "
            "leaves that day as it is. Send the file back with /roster import as its caption."
        ),
        do_quote=not call.is_private,
    )


def document_of(call: Call) -> Document:
    """The spreadsheet sent with the command, or the one the command replies to."""
    for message in (call.message, call.message.reply_to_message):
        if message is not None and message.document is not None:
            return message.document
    raise UserError(
        N_("Send the filled roster file with /roster import as its caption, or reply to the file with it.")
    )


def problems_text(t: Translator, problems: list[roster_import.Problem]) -> str:
    """Every bad row and why, so the supervisor can fix the file in one go."""
    lines = [t("Nothing was changed. Fix these rows and send the file again:")]
    for problem in problems[: roster_import.MAX_PROBLEMS]:
        reason = explain(t, problem.error)
        if problem.day is not None:
            reason = f"{format_day(problem.day, t.locale)}: {reason}"
        lines.append(t("• row {row}: {problem}", row=problem.row, problem=reason))
    if len(problems) > roster_import.MAX_PROBLEMS:
        lines.append(t("… and {count} more.", count=len(problems) - roster_import.MAX_PROBLEMS))
    return "\n".join(lines)


async def import_reply(call: Call) -> None:
    """Import a filled roster: every row checked first, then all written or nothing."""
    document = document_of(call)
    if (document.file_size or 0) > MAX_FILE_BYTES:
        raise UserError(N_("The file is larger than 2 MB: send only the roster."))
    data = await (await call.context.bot.get_file(document.file_id)).download_as_bytearray()
    rows = await roster_import.numbered_rows(bytes(data), document.file_name or "")
    plan = await roster_import.plan_import(rows, call.today)
    if isinstance(plan, list):
        await call.reply(problems_text(call.t, plan))
        return
    count = await roster_import.apply(plan, actor_id=call.user_id, chat_id=call.chat_id)
    await ss.ensure(chat_id=call.chat_id, owner_id=call.user_id, zone=call.zone, now=now())
    await call.reply(
        call.t(
            "✅ Roster imported: {days} for {people}.",
            days=call.t.ngettext("{n} day", "{n} days", count),
            people=call.t.ngettext("{n} person", "{n} people", len(plan.people)),
        )
    )


def register_files(app: Application) -> None:  # type: ignore[type-arg]
    """A spreadsheet captioned /roster import (typed /roster import goes through /roster)."""
    captioned = filters.Document.ALL & filters.CaptionRegex(CAPTION)
    app.add_handler(SlashHandler(captioned, gated("roster.edit", import_reply)))
