"""The roster as monospace tables narrow enough for a phone: people down, seven days across."""

from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import N_, Translator
from bot.models import Person, ShiftType
from bot.services.errors import UserError
from bot.services.shifts import leave
from bot.services.shifts import roster as shifts
from bot.services.when import format_days, read_stretch, span

NAME_WIDTH = 8
CELL_WIDTH = 3
WEEKDAYS = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))
WEEK_WORDS = {"week", "周", "一周"}
MONTH_WORDS = {"month", "月"}
OFF = "-"
LEAVE_CODE = N_("L")
"""A day of approved leave in the roster table (假 in Chinese)."""


def width(text: str) -> int:
    """Columns a text takes in a monospace font: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fit(text: str, columns: int) -> str:
    """Cut or pad a text to exactly `columns` monospace columns."""
    out = ""
    for char in text:
        if width(out + char) > columns:
            break
        out += char
    return out + " " * (columns - width(out))


@dataclass(frozen=True, slots=True)
class Request:
    """What `/roster [week|month] [@user] [date|YYYY-MM]` asked to see."""

    first: date
    last: date
    who: str | None


def parse_request(words: list[str], today: date) -> Request:
    """Read the period and the person of a roster view: a week from today by default; a day to start from,
    or a stretch in any words (下周, 12月, 2026-12, next month, 12-01..12-15); `month` shows whole months."""
    who = next((word for word in words if word.startswith("@")), None)
    said = [word for word in words if not word.startswith("@")]
    month = False
    try:
        first, stop = read_stretch(" ".join(said), today) if said else (today, today + timedelta(days=1))
    except UserError:  # `month 2026-12`, `week 12-05`, or a person by id (`104`)
        month = any(word.lower() in MONTH_WORDS for word in said)
        plain = [word for word in said if word.lower() not in WEEK_WORDS | MONTH_WORDS]
        who = who or next((word for word in plain if word.isdigit()), None)
        plain = [word for word in plain if not word.isdigit()]
        first, stop = read_stretch(" ".join(plain), today) if plain else (today, today + timedelta(days=1))
    if stop - first > timedelta(days=1):
        return Request(first, stop - timedelta(days=1), who)
    if month:
        first = first.replace(day=1)
        return Request(first, first.replace(day=calendar.monthrange(first.year, first.month)[1]), who)
    return Request(first, first + timedelta(days=6), who)


def cell(t: Translator, types: list[ShiftType], away: bool = False) -> str:
    """One person's day: the codes of their shifts, L on approved leave, or - when off."""
    return "".join(t(shifts.code(shift_type)) for shift_type in types) or (t(LEAVE_CODE) if away else OFF)


Row = tuple[Person, dict[date, list[ShiftType]], set[date]]
"""A person, their shifts by day and their days of approved leave."""


def week_block(t: Translator, days: list[date], rows: list[Row]) -> list[str]:
    """Up to seven days: a weekday line, a day-of-month line, then one line per person."""
    blank = " " * NAME_WIDTH
    lines = [
        blank + "".join(fit(t(WEEKDAYS[day.weekday()]), CELL_WIDTH) for day in days).rstrip(),
        blank + "".join(fit(f"{day.day:02d}", CELL_WIDTH) for day in days).rstrip(),
    ]
    for person, by_day, away in rows:
        cells = "".join(fit(cell(t, by_day.get(day, []), day in away), CELL_WIDTH) for day in days)
        lines.append((fit(person.display_name, NAME_WIDTH - 1) + " " + cells).rstrip())
    return lines


def legend(t: Translator, types: list[ShiftType], day: date) -> str:
    """What the codes mean, with the hours in force on the first day shown."""
    parts = [
        f"{t(shifts.code(shift_type))} {t(shifts.label(shift_type))} {span(shifts.hours(shift_type, day))}"
        for shift_type in types
    ]
    return " · ".join([*parts, t("{code} off", code=OFF), t("{code} leave", code=t(LEAVE_CODE))])


async def render(t: Translator, request: Request, person: Person | None) -> tuple[str, list[list[str]]]:
    """The title and the table blocks (one per seven days) of a roster view."""
    found = await shifts.shifts_between(request.first, request.last, person.id if person else None)
    away: dict[int, set[date]] = {}
    for granted in await leave.approved_between(request.first, request.last):
        if person is None or granted.person_id == person.id:
            off = (granted.first_day + timedelta(days=i) for i in range(leave.day_count(granted)))
            away.setdefault(granted.person_id, set()).update(off)
    ids = {person_id for person_id, _ in found} | set(away) | ({person.id} if person else set())
    by_person: dict[int, dict[date, list[ShiftType]]] = {person_id: {} for person_id in ids}
    for (person_id, day), types in found.items():
        by_person[person_id][day] = types
    names = {p.id: p for p in await Person.filter(id__in=ids)}
    rows = sorted(
        ((names[i], by_day, away.get(i, set())) for i, by_day in by_person.items() if i in names),
        key=lambda row: row[0].display_name.lower(),
    )
    title = t("📅 Roster {days}", days=format_days(request.first, request.last, t.locale))
    if person:
        title += f" · {person.display_name}"
    if not rows:
        return title, []
    days = [request.first + timedelta(days=i) for i in range((request.last - request.first).days + 1)]
    blocks = [week_block(t, days[i : i + 7], rows) for i in range(0, len(days), 7)]
    return title + "\n" + legend(t, await shifts.all_types(), request.first), blocks
