"""What people type about shifts: dates, date ranges and lists, shift hours, season boundaries."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.i18n import N_
from bot.services.errors import UserError

DAY_END = 24 * 60
MAX_DAYS = 366
"""The longest stretch one command may cover: a roster is planned a month or so ahead."""
DATE = re.compile(
    r"^(?:(?P<y>\d{4})[-/.])?(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"
    r"|^(?:(?P<zy>\d{4})年)?(?P<zm>\d{1,2})月(?P<zd>\d{1,2})[日号]?$"
)
RANGE = re.compile(r"\.\.|~|～|至|到")
LIST = re.compile(r"[,，、;；]")
CLOCK = re.compile(r"^(?P<h>\d{1,2})(?:[:：](?P<m>\d{2})|[点點](?P<zm>\d{1,2})?分?)?$")
HOURS_DASH = re.compile(r"\s*(?:-|~|～|–|—|到|至)\s*")
MONTH_DAY = re.compile(r"^(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$|^(?P<zm>\d{1,2})月(?P<zd>\d{1,2})[日号]?$")

BAD_DATE = N_("“{value}” is not a date. Examples: 2026-12-01, 12-01, 12月1日.")
BACKWARDS = N_("The range “{value}” runs backwards: put the earlier date first, e.g. 12-01..12-31.")
TOO_MANY_DAYS = N_("“{value}” covers more than {limit} days; give a shorter stretch.")
NO_DATES = N_("Which dates? e.g. 2026-12-01..2026-12-31 or 12-06,12-07.")
BAD_HOURS = N_("“{value}” is not shift hours: write them like 09:00-18:00 or 9点-18点.")
HOURS_ORDER = N_("The hours “{value}” must end after they start, by 24:00 at the latest.")
BAD_MONTH_DAY = N_("“{value}” is not a day of the year: write it like 05-01 or 5月1日.")


def nearest_year(month: int, day: int, today: date) -> date | None:
    """The date with this month and day closest to today (last December in January, next January in
    December), or None when no year has it."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda found: abs((found - today).days), default=None)


def parse_day(text: str, today: date) -> date:
    """One date: 2026-12-01, 12-01 or 12月1日 (without a year: the nearest such date)."""
    found = DATE.match(text.strip())
    if found is None:
        raise UserError(BAD_DATE, value=text)
    year = found["y"] or found["zy"]
    month, day = int(found["m"] or found["zm"]), int(found["d"] or found["zd"])
    try:
        parsed = date(int(year), month, day) if year else nearest_year(month, day, today)
    except ValueError:
        parsed = None
    if parsed is None:
        raise UserError(BAD_DATE, value=text)
    return parsed


def parse_days(text: str, today: date) -> list[date]:
    """`12-01..12-31`, `12-06,12-07`, `12月1日至12月5日` and mixtures, as sorted distinct dates."""
    days: set[date] = set()
    for part in (piece.strip() for piece in LIST.split(text)):
        if not part:
            continue
        ends = [end.strip() for end in RANGE.split(part)]
        if len(ends) > 2:
            raise UserError(BAD_DATE, value=part)
        first = parse_day(ends[0], today)
        last = parse_day(ends[-1], today) if len(ends) == 2 else first
        if last < first:
            raise UserError(BACKWARDS, value=part)
        if (last - first).days >= MAX_DAYS:
            raise UserError(TOO_MANY_DAYS, value=part, limit=MAX_DAYS)
        days.update(first + timedelta(days=offset) for offset in range((last - first).days + 1))
        if len(days) > MAX_DAYS:
            raise UserError(TOO_MANY_DAYS, value=text, limit=MAX_DAYS)
    if not days:
        raise UserError(NO_DATES)
    return sorted(days)


def parse_clock(text: str) -> int | None:
    """A wall time as minutes of the day (24:00 allowed, as the end of the day), or None."""
    found = CLOCK.match(text.strip())
    if found is None:
        return None
    hour, minute = int(found["h"]), int(found["m"] or found["zm"] or 0)
    if minute > 59 or hour * 60 + minute > DAY_END:
        return None
    return hour * 60 + minute


def parse_hours(text: str) -> tuple[int, int]:
    """`09:00-18:00`, `19:00-24:00`, `9点-18点半` as (start, end) minutes of the day within one day."""
    parts = HOURS_DASH.split(text.strip().replace("半", "30"))
    if len(parts) != 2:
        raise UserError(BAD_HOURS, value=text)
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start is None or end is None:
        raise UserError(BAD_HOURS, value=text)
    if not start < end <= DAY_END:
        raise UserError(HOURS_ORDER, value=text)
    return start, end


def hhmm(minutes: int) -> str:
    """Minutes of the day as HH:MM, the end of the day as 24:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span(hours: tuple[int, int]) -> str:
    """Shift hours as 09:00–18:00."""
    return f"{hhmm(hours[0])}–{hhmm(hours[1])}"


def parse_month_day(text: str) -> str:
    """A season boundary, 05-01 or 5月1日, stored as MM-DD."""
    found = MONTH_DAY.match(text.strip())
    if found is None:
        raise UserError(BAD_MONTH_DAY, value=text)
    month, day = int(found["m"] or found["zm"]), int(found["d"] or found["zd"])
    try:
        date(2000, month, day)  # a leap year, so 02-29 is a valid boundary
    except ValueError:
        raise UserError(BAD_MONTH_DAY, value=text) from None
    return f"{month:02d}-{day:02d}"


def month_day(value: str) -> tuple[int, int]:
    """A stored MM-DD as (month, day)."""
    month, _, day = value.partition("-")
    return int(month), int(day)


def in_season(day: date, first: str, last: str) -> bool:
    """Whether a date falls in the season from `first` to `last` (MM-DD, both included; may wrap the year)."""
    start, end, today = month_day(first), month_day(last), (day.month, day.day)
    return start <= today <= end if start <= end else today >= start or today <= end


def overlaps(one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two shifts of the same day share a minute."""
    return one[0] < other[1] and other[0] < one[1]
