"""What people type to `/rotation` and `/review stats`, in English or Chinese: actions, periods, dates."""

from __future__ import annotations

import re
from datetime import date, time

from bot.i18n import N_
from bot.services.errors import UserError
from bot.services.rotations.engine import DAYS, MONTHS, UNIT_LIMITS, WEEKS, Period
from bot.services.scheduling import timespec

ACTIONS: dict[str, str] = {
    **{action: action for action in ("show", "next", "override", "members", "period", "skip")},
    "轮换": "show",
    "显示": "show",
    "查看": "show",
    "下次": "next",
    "代班": "override",
    "成员": "members",
    "周期": "period",
    "跳过": "skip",
}
"""`/rotation <action>`: the English word or its Chinese alias (轮换 alone shows the rotation)."""
STATS_WORDS = frozenset({"stats", "统计"})
START_KEYS = frozenset({"start", "from", "开始", "起"})
AT_KEYS = frozenset({"at", "time", "时间", "交接"})
UNITS = {
    **dict.fromkeys(("m", "mo", "month", "months", "月", "个月", "個月"), MONTHS),
    **dict.fromkeys(("w", "wk", "week", "weeks", "周", "週", "星期", "个星期"), WEEKS),
    **dict.fromkeys(("d", "day", "days", "天", "日"), DAYS),
}
PERIOD = re.compile(r"([0-9]{1,3})\s*([a-z]+|[个個]?[月周週天日]|[个個]?星期)")
CLOCK = re.compile(r"([01]?[0-9]|2[0-3])(?::([0-5][0-9])|[点點时時](?:([0-5]?[0-9])分?|(半))?)")
RANGE_DASH = re.compile(r"\.\.|~|～|到|至|—|–")
MONTH = re.compile(r"(?:([0-9]{4})[-/.年])?([0-9]{1,2})月?")

BAD_PERIOD = N_("“{value}” is not a period. Examples: 1m, 2m, 6w, 1个月, 6周.")
BAD_RANGE = N_(
    "“{value}” is not a date range. Examples: 2026-12-10..2026-12-20, 12-10..12-20, 12月10日到12月20日."
)
BACKWARDS = N_("The range “{value}” runs backwards: its first day is after its last day.")
BAD_MONTH = N_("“{value}” is not a month. Examples: 2026-12, 12, 12月.")


def fold(text: str) -> str:
    """Full-width forms and capitals folded to plain lower-case ASCII, as the alarm parser does."""
    return text.strip().translate(timespec.FOLD)


def action(word: str) -> str | None:
    """The action a word names, or None."""
    return ACTIONS.get(fold(word))


def period(word: str) -> Period:
    """`1m`, `6w`, `14d`, `1个月`, `6周`, `10天` → a Period."""
    found = PERIOD.fullmatch(fold(word))
    unit = UNITS.get(found.group(2)) if found else None
    if found is None or unit is None or not 1 <= int(found.group(1)) <= UNIT_LIMITS[unit]:
        raise UserError(BAD_PERIOD, value=word)
    return Period(int(found.group(1)), unit)


def clock(word: str) -> time:
    """`09:00`, `9:30`, `9点`, `9点半` → a wall time."""
    found = CLOCK.fullmatch(fold(word))
    if found is None:
        raise UserError(timespec.BAD_CLOCK, value=word)
    minute = 30 if found.group(4) else int(found.group(2) or found.group(3) or 0)
    return time(int(found.group(1)), minute)


def day(word: str, today: date) -> date:
    """`2026-12-10`, `12-10`, `12月10日`; without a year, the such date nearest to today."""
    found = timespec.DATE.fullmatch(fold(word))
    try:
        if found is None:
            raise ValueError(word)
        year, month, number = (
            (found.group("y"), found.group("mo"), found.group("d"))
            if found.group("y")
            else (found.group("zy"), found.group("zmo"), found.group("zd"))
            if found.group("zmo")
            else (None, found.group("smo"), found.group("sd"))
        )
        if year:
            return date(int(year), int(month), int(number))
        candidates = []
        for offset in (-1, 0, 1):
            try:
                candidates.append(date(today.year + offset, int(month), int(number)))
            except ValueError:
                continue
        if not candidates:
            raise ValueError(word)
        return min(candidates, key=lambda candidate: abs((candidate - today).days))
    except ValueError:
        raise UserError(timespec.BAD_DATE, value=word) from None


def day_range(word: str, today: date) -> tuple[date, date]:
    """`2026-12-10..2026-12-20` (or one day alone) → first and last day, refusing a backwards range."""
    parts = RANGE_DASH.split(word.strip())
    if len(parts) > 2 or not all(part.strip() for part in parts):
        raise UserError(BAD_RANGE, value=word)
    first = day(parts[0], today)
    last = day(parts[-1], today) if len(parts) == 2 else first
    if last < first:
        raise UserError(BACKWARDS, value=word)
    return first, last


def month(word: str | None, today: date) -> tuple[int, int]:
    """`2026-12`, `12`, `12月`, `2026年12月` → (year, month); nothing means this month."""
    if not word:
        return today.year, today.month
    found = MONTH.fullmatch(fold(word))
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise UserError(BAD_MONTH, value=word)
    if found.group(1):
        return int(found.group(1)), int(found.group(2))
    number = int(found.group(2))
    return (today.year if number <= today.month else today.year - 1), number


def key_value(word: str) -> tuple[str, str] | None:
    """`start=2026-12-01` → ("start", "2026-12-01"); keys in English or Chinese, `=` or `＝`."""
    key, sep, value = word.replace("＝", "=").partition("=")
    return (fold(key), value.strip()) if sep else None
