"""/shifttype, /roster and /today: shift hours by season, the monthly roster, who is on now."""

from __future__ import annotations

import html
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telegram.constants import MessageLimit, ParseMode
from telegram.ext import Application

from bot.i18n import N_, Translator
from bot.models import Person, ShiftType
from bot.services.errors import UserError
from bot.services.records.fields import split_words
from bot.services.shifts import leave, roster_view
from bot.services.shifts import postings as ss
from bot.services.shifts import roster as shifts
from bot.services.when import format_day, format_days, read_days, span
from handlers.gate import Call, command
from handlers.roster_files import import_reply, register_files, send_template
from jobs.engine import now

SET_WORDS = {"set", "设置", "排班", "安排"}
OFF_WORDS = {"off", "休", "休息", "取消"}
IMPORT_WORDS = {"import", "导入"}
TEMPLATE_WORDS = {"template", "模板"}


def words_of(call: Call) -> list[str]:
    """The words after the command, quotes honoured."""
    return split_words((call.message.text or call.message.caption or "").partition(" ")[2])


def describe_type(t: Translator, shift_type: ShiftType) -> str:
    """One shift type's hours, season and reminder in the reader's language."""
    text = t(
        "• {label} ({name}): {hours}",
        label=t(shifts.label(shift_type)),
        name=shift_type.name,
        hours=span((shift_type.start, shift_type.end)),
    )
    if shift_type.summer_start is not None:
        text += t(
            "; summer {hours} from {first} to {last}",
            hours=span(shifts.hours_in(shift_type, shifts.SUMMER)),
            first=shift_type.summer_from,
            last=shift_type.summer_to,
        )
    if shift_type.remind_minutes:
        text += t("; reminder {minutes} min before", minutes=shift_type.remind_minutes)
    return text


async def shifttype(call: Call) -> None:
    """List the shift types, or (supervisors) create or change one."""
    words = words_of(call)
    if words:
        call.require("shifttype.change")
        changed = await shifts.change_type(
            shifts.parse_type_change(words), actor_id=call.user_id, chat_id=call.chat_id
        )
        await ss.refresh(changed, chat_id=call.chat_id, actor_id=call.user_id, zone=call.zone, now=now())
        await call.reply(call.t("✅ Shift changed:") + "\n" + describe_type(call.t, changed))
        return
    lines = [call.t("Shifts:")] + [describe_type(call.t, t) for t in await shifts.all_types()]
    await call.reply("\n".join(lines))


def compact(t: Translator, days: list[date]) -> str:
    """Dates as runs with their weekdays: Tue 1 Dec – Sat 5 Dec, Tue 8 Dec."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return t.join(format_days(run[0], run[-1], t.locale) for run in runs)


async def roster(call: Call) -> None:
    """Show the roster, or (supervisors) set shifts, give days off, import a file or send the template."""
    words = words_of(call)
    action = words[0].lower() if words else ""
    editing = action in SET_WORDS | OFF_WORDS | IMPORT_WORDS | TEMPLATE_WORDS
    if editing:
        call.require("roster.edit")
    if action in SET_WORDS:
        await roster_set(call, words[1:])
    elif action in OFF_WORDS:
        await roster_off(call, words[1:])
    elif action in IMPORT_WORDS:
        await import_reply(call)
    elif action in TEMPLATE_WORDS:
        await send_template(call, words[1:])
    else:
        await show(call, words)


async def roster_set(call: Call, words: list[str]) -> None:
    """`/roster set @user <dates> <shift>`: all days or none; the dates in any words (12-01..12-31, 下周)."""
    if len(words) < 3:
        raise UserError(N_("Say who, which dates and which shift, e.g. /roster set @bob 12-01..12-31 day."))
    person = await shifts.resolve_person(words[0])
    days = read_days(" ".join(words[1:-1]), call.today)
    shift_type = await shifts.find_type(words[-1])
    done = await shifts.assign(person, days, shift_type, actor_id=call.user_id, chat_id=call.chat_id)
    await ss.ensure(chat_id=call.chat_id, owner_id=call.user_id, zone=call.zone, now=now())
    text = call.t.ngettext(
        "✅ {name}: {shift} on {n} day: {days}.",
        "✅ {name}: {shift} on {n} days: {days}.",
        len(done.changed),
        name=person.display_name,
        shift=call.t(shifts.label(shift_type)),
        days=compact(call.t, done.changed) or "—",
    )
    if done.unchanged:
        text += "\n" + call.t("Already so: {days}.", days=compact(call.t, done.unchanged))
    await call.reply(text)


async def roster_off(call: Call, words: list[str]) -> None:
    """`/roster off @user <dates> [shift]`: days off, or one shift taken off those days."""
    if len(words) < 2:
        raise UserError(N_("Say who and which dates, e.g. /roster off @bob 12-06,12-07."))
    person = await shifts.resolve_person(words[0])
    try:
        days, shift_type = read_days(" ".join(words[1:]), call.today), None
    except UserError:
        if len(words) == 2:
            raise
        days, shift_type = read_days(" ".join(words[1:-1]), call.today), await shifts.find_type(words[-1])
    done = await shifts.unassign(person, days, shift_type, actor_id=call.user_id, chat_id=call.chat_id)
    if not done.changed:
        await call.reply(
            call.t("{name} had no shift on those days: nothing changed.", name=person.display_name)
        )
        return
    await call.reply(
        call.t("✅ {name} is off on {days}.", name=person.display_name, days=compact(call.t, done.changed))
    )


async def show(call: Call, words: list[str]) -> None:
    """`/roster [week|month] [@user] [date]` as monospace tables."""
    request = roster_view.parse_request(words, call.today)
    person = await shifts.resolve_person(request.who) if request.who else None
    title, blocks = await roster_view.render(call.t, request, person)
    if not blocks:
        await call.reply(title + "\n" + call.t("Nobody is on the roster then. Add shifts with /roster set."))
        return
    await reply_tables(call, title, blocks)


async def reply_tables(call: Call, title: str, blocks: list[list[str]]) -> None:
    """Send tables as preformatted text, as few messages as fit Telegram's length limit."""
    pieces: list[str] = []
    current = html.escape(title)
    for block in blocks:
        part = "<pre>" + html.escape("\n".join(block)) + "</pre>"
        if len(current) + len(part) + 1 > MessageLimit.MAX_TEXT_LENGTH:
            pieces.append(current)
            current = part
        else:
            current = f"{current}\n{part}"
    pieces.append(current)
    for piece in pieces:
        await call.message.reply_text(piece, parse_mode=ParseMode.HTML, do_quote=not call.is_private)


def span_line(t: Translator, found: shifts.Span, zone: ZoneInfo) -> str:
    """A shift with its hours, its day (with the weekday) and its people."""
    names = t.join(person.display_name for person in found.people) or t("nobody rostered")
    return t(
        "{shift} {hours} ({day}): {names}",
        shift=t(shifts.label(found.shift_type)),
        hours=span(shifts.hours(found.shift_type, found.day)),
        day=format_day(found.day, t.locale),
        names=names,
    )


async def on_duty(call: Call) -> None:
    """Who is on shift now and who comes next."""
    running, upcoming = await shifts.now_and_next(now(), call.zone)
    lines = [call.t("🕘 Now: {shift}", shift=span_line(call.t, found, call.zone)) for found in running]
    if not running:
        lines.append(call.t("🕘 Nobody is on shift now."))
    if upcoming:
        lines.append(call.t("⏭ Next: {shift}", shift=span_line(call.t, upcoming, call.zone)))
    away = await leave.approved_between(call.today, call.today)
    if away:
        names = {p.id: p.display_name for p in await Person.filter(id__in={r.person_id for r in away})}
        lines.append(
            call.t(
                "🌴 On leave today: {names}",
                names=call.t.join(
                    call.t(
                        "{name} (until {day})",
                        name=names.get(r.person_id, str(r.person_id)),
                        day=format_day(r.last_day, call.t.locale),
                    )
                    for r in away
                ),
            )
        )
    await call.reply("\n".join(lines))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the shift and roster commands."""
    app.add_handler(command("shifttype", shifttype))
    app.add_handler(command("roster", roster))
    app.add_handler(command("today", on_duty))
    register_files(app)
