"""Times of day, shift hours and lengths of time as people type them: 09:00, 9点半, 下午三点, 09:00-18:00,
早九晚六, 5m, 半小时, 两周, 1个月.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from bot.services.errors import UserError
from bot.services.rotations.engine import DAYS, MONTHS, UNIT_LIMITS, WEEKS, Period
from bot.services.when import messages as msg
from bot.services.when.words import EARLY_HOURS, clock_at, duration_at, hour_in_part, source

DAY_END = 24 * 60
HOURS_DASH = re.compile(r"\s*(?:-|~|–|—|到|至|to)\s*")
END_OF_DAY = re.compile(r"24(?::00|点|时)?")
PLAIN_HOUR = re.compile(r"\d{1,2}")
EARLY_LATE = re.compile(r"早\s*(?P<a>\d{1,2})\s*(?:点)?\s*晚\s*(?P<b>\d{1,2})\s*(?:点)?")
SPAN = re.compile(r"(?P<n>\d{1,3})\s*(?P<unit>[a-z]+|个?月|个?(?:周|星期|礼拜)|天|日)")
SPAN_UNITS = {
    **dict.fromkeys(("m", "mo", "month", "months", "月", "个月"), MONTHS),
    **dict.fromkeys(("w", "wk", "week", "weeks", "周", "星期", "礼拜", "个周", "个星期", "个礼拜"), WEEKS),
    **dict.fromkeys(("d", "day", "days", "天", "日"), DAYS),
}


def _minute_of_day(text: str) -> int | None:
    """A wall time as minutes of the day (24:00 allowed, as the end of the day), or None."""
    src = source(text)
    if END_OF_DAY.fullmatch(src.norm):
        return DAY_END
    if PLAIN_HOUR.fullmatch(src.norm):
        return int(src.norm) * 60 if int(src.norm) <= 24 else None
    try:
        clock = clock_at(src, 0)
    except UserError:
        return None
    if clock is None or clock.end != len(src.norm):
        return None
    hour = hour_in_part(clock.hour, clock.part, clock.meridiem)
    return None if hour is None or hour[1] else hour[0] * 60 + clock.minute


def read_clock(text: str) -> time:
    """One time of day: 09:00, 9:30, 9点, 9点半, 十点一刻, 下午3点, 3pm (a bare hour as written, 24-hour)."""
    minutes = _minute_of_day(text)
    if minutes is None or minutes == DAY_END:
        raise UserError(msg.BAD_CLOCK, value=text)
    return time(minutes // 60, minutes % 60)


def clock_readings(text: str) -> tuple[time, ...]:
    """A time of day (as read_clock reads it) and, for a bare hour that may be the night's (3点, 3), the
    afternoon's reading too, so a daily time is asked about instead of set to 03:00 silently."""
    found = read_clock(text)
    src = source(text)
    try:
        piece = clock_at(src, 0)
    except UserError:
        piece = None
    bare = PLAIN_HOUR.fullmatch(src.norm) is not None or (piece is not None and piece.bare)
    if bare and 1 <= found.hour <= EARLY_HOURS:
        return found, found.replace(hour=found.hour + 12)
    return (found,)


def read_hours(text: str) -> tuple[int, int]:
    """Shift hours as (start, end) minutes of one day: 09:00-18:00, 19:00-24:00, 9点-18点半, 9-18,
    九点到十八点, 早九晚六 (09:00–18:00)."""
    src = source(text)
    both = EARLY_LATE.fullmatch(src.norm)
    if both is not None:
        start, end = int(both["a"]) * 60, (int(both["b"]) % 12 + 12) * 60
    else:
        parts = [_minute_of_day(part) for part in HOURS_DASH.split(src.norm)]
        if len(parts) != 2 or parts[0] is None or parts[1] is None:
            raise UserError(msg.BAD_HOURS, value=text)
        start, end = parts[0], parts[1]
    if not start < end <= DAY_END:
        raise UserError(msg.HOURS_ORDER, value=text)
    return start, end


def hhmm(minutes: int) -> str:
    """Minutes of the day as HH:MM, the end of the day as 24:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span(hours: tuple[int, int]) -> str:
    """Shift hours as 09:00–18:00."""
    return f"{hhmm(hours[0])}–{hhmm(hours[1])}"


def overlaps(one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two shifts of the same day share a minute."""
    return one[0] < other[1] and other[0] < one[1]


def read_duration(text: str) -> timedelta:
    """A length of time to the minute: 5m, 1h30m, 90 min, 5分钟, 半小时, 两小时, 一刻钟, or a bare 5."""
    src = source(text)
    if src.norm.isascii() and src.norm.isdigit() and len(src.norm) <= 5:
        return timedelta(minutes=int(src.norm))
    found = duration_at(src, 0) if src.norm else None
    if found is None or found[1] != len(src.norm):
        raise UserError(msg.BAD_DURATION, value=text)
    return timedelta(minutes=found[0])


def read_span(text: str) -> Period:
    """A rotation period in whole days, weeks or months: 1m, 6w, 14d, 1个月, 两周, 10天."""
    found = SPAN.fullmatch(source(text).norm)
    unit = SPAN_UNITS.get(found["unit"]) if found else None
    if found is None or unit is None or not 1 <= int(found["n"]) <= UNIT_LIMITS[unit]:
        raise UserError(msg.BAD_SPAN, value=text)
    return Period(int(found["n"]), unit)
