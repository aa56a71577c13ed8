"""Dates as people type them to rosters, swaps, leave and reports: one day, lists and ranges of days,
months, report periods and season boundaries, in English or Chinese.

Without a year a date is the such date nearest to today (a roster's 12-31 typed in January is last
December's); weekdays are this week's from today on (周五), or next or last week's (下周五, 上周五).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import UserError
from bot.services.when import messages as msg
from bot.services.when.rules import monday_of
from bot.services.when.words import (
    EN_MONTHS,
    DayPiece,
    Source,
    date_at,
    delay_at,
    nearest,
    real_date,
    relative_day_at,
    source,
    weekday_at,
)

MAX_DAYS = 366
"""The longest stretch one command may cover: a roster is planned a month or so ahead."""
LIST = re.compile(r"\s*[,;、]\s*")
RANGE = re.compile(r"\s*(?:\.\.|~|至|到|—|–)\s*|\s+(?:to|until|till|through)\s+")
DAYS_AGO = re.compile(r"(?P<n>\d{1,3})\s*(?:天|日|days?)\s*(?:以前|之前|前|ago)")
MONTH_ONLY = re.compile(r"\d{1,2}\s*[号日]")
YEAR_MONTH = re.compile(
    r"(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*月?(?:份)?"
    r"|(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+(?P<ey>\d{4}))?"
)
LAST_DAYS = re.compile(r"(?:近|最近|过去|last\s+|past\s+)(?P<n>\d{1,3})\s*(?:天|日|days?)")
MONTH_DAY = re.compile(r"(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*[日号]?")

TODAY, YESTERDAY, WEEK, LAST_WEEK, NEXT_WEEK, MONTH, LAST_MONTH, NEXT_MONTH, YEAR, LAST_YEAR = (
    "today",
    "yesterday",
    "week",
    "last-week",
    "next-week",
    "month",
    "last-month",
    "next-month",
    "year",
    "last-year",
)
NAMED: dict[str, str] = {
    **dict.fromkeys(("today", "day", "this day", "今天", "今日", "当天", "本日", "今儿"), TODAY),
    **dict.fromkeys(("yesterday", "yday", "昨天", "昨日", "昨儿"), YESTERDAY),
    **dict.fromkeys(("week", "this week", "this-week", "current week", "本周", "这周", "本星期"), WEEK),
    **dict.fromkeys(("这星期", "这个星期", "本礼拜", "这礼拜", "这个礼拜", "这一周", "这1周"), WEEK),
    **dict.fromkeys(("本周内",), WEEK),
    **dict.fromkeys(
        ("last week", "last-week", "previous week", "prev week", "上周", "上星期", "上个星期", "上礼拜"),
        LAST_WEEK,
    ),
    **dict.fromkeys(("上个礼拜", "上一周", "上1周"), LAST_WEEK),
    **dict.fromkeys(
        ("next week", "next-week", "下周", "下星期", "下个星期", "下礼拜", "下个礼拜", "下1周"), NEXT_WEEK
    ),
    **dict.fromkeys(("month", "this month", "this-month", "current month", "本月", "这个月", "当月"), MONTH),
    **dict.fromkeys(("这月", "本月份", "这个月份", "本月内"), MONTH),
    **dict.fromkeys(
        ("last month", "last-month", "previous month", "prev month", "上月", "上个月", "上月份", "上1个月"),
        LAST_MONTH,
    ),
    **dict.fromkeys(("next month", "next-month", "下月", "下个月", "下1个月"), NEXT_MONTH),
    **dict.fromkeys(("this year", "this-year", "year", "今年", "本年"), YEAR),
    **dict.fromkeys(("last year", "last-year", "去年"), LAST_YEAR),
}
"""Stretches of days by name, in both languages."""
CHOICES = "today 今天, yesterday 昨天, week 本周, last week 上周, month 本月, last month 上月, 11月, 2026-11"


def next_month(first: date) -> date:
    """The first day of the month after `first`'s."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _previous_month(first: date) -> date:
    """The first day of the month before `first`'s."""
    return (first - timedelta(days=1)).replace(day=1)


def _bare(words: str) -> str:
    """A period word without what people add to it: today's, this week's, 本月的, "the month"."""
    words = words.removeprefix("the ").removesuffix("的").strip()
    return words.removesuffix("'s").removesuffix("’s")


def named_span(words: str, today: date) -> tuple[date, date] | None:
    """The days [first, stop) a named stretch covers (本周 is Monday on), or None if it names none."""
    kind = NAMED.get(words) or NAMED.get(_bare(words))
    month = today.replace(day=1)
    spans = {
        TODAY: (today, today + timedelta(days=1)),
        YESTERDAY: (today - timedelta(days=1), today),
        WEEK: (monday_of(today), monday_of(today) + timedelta(days=7)),
        LAST_WEEK: (monday_of(today) - timedelta(days=7), monday_of(today)),
        NEXT_WEEK: (monday_of(today) + timedelta(days=7), monday_of(today) + timedelta(days=14)),
        MONTH: (month, next_month(month)),
        LAST_MONTH: (_previous_month(month), month),
        NEXT_MONTH: (next_month(month), next_month(next_month(month))),
        YEAR: (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        LAST_YEAR: (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    }
    return spans.get(kind) if kind else None


# ---------------------------------------------------------------------------------------------- days


def _whole(src: Source, piece: DayPiece | None) -> date | None:
    """A piece's date when it is all the text."""
    return piece.day if piece is not None and piece.end == len(src.norm) else None


def _day(src: Source, today: date) -> date | None:
    """One day in any form, or None."""
    for found in (
        _whole(src, relative_day_at(src, 0, today)),
        _whole(src, weekday_at(src, 0, today)),
        _whole(src, date_at(src, 0, today, nearest)),
    ):
        if found is not None:
            return found
    ago = src.match(DAYS_AGO, 0)
    if ago is not None and ago.end() == len(src.norm):
        return today - timedelta(days=int(ago["n"]))
    delay = delay_at(src, 0)
    if delay is not None and delay.days is not None and delay.end == len(src.norm):
        return today + timedelta(days=delay.days)
    return None


def read_day(text: str, today: date) -> date:
    """One date: 2026-12-01, 12-01, 12月1日, Dec 1, 明天, 昨天, 周五, 下周一, 3天后 (the year: nearest)."""
    src = source(text)
    try:
        found = _day(src, today) if src.norm else None
    except UserError:
        found = None
    if found is None:
        raise UserError(msg.BAD_DATE, value=text)
    return found


def split_day(words: list[str], today: date) -> tuple[date, list[str]]:
    """The longest run of leading words that reads as one day (`Dec 5`, `next friday`, `12-05`) and the
    words after it, so commands can take a day of several words before other arguments."""
    for cut in range(len(words), 0, -1):
        try:
            return read_day(" ".join(words[:cut]), today), words[cut:]
        except UserError:
            continue
    raise UserError(msg.BAD_DATE, value=words[0] if words else "")


def _range_end(text: str, first: date, today: date) -> date:
    """The end of a range; a bare day of the month (12月1日至5日) is in the first day's month."""
    folded = source(text).norm
    if MONTH_ONLY.fullmatch(folded):
        found = real_date(first.year, first.month, int(re.sub(r"\D", "", folded)))
        if found is None:
            raise UserError(msg.BAD_DATE, value=text)
        return found
    return read_day(text, today)


def _stretch(part: str, today: date) -> tuple[date, date]:
    """One item of a day list: a named week or month, a range, or one day, as first and last day."""
    named = named_span(source(part).norm, today)
    if named is not None:
        return named[0], named[1] - timedelta(days=1)
    ends = [end for end in RANGE.split(part)]
    if len(ends) > 2 or not all(end.strip() for end in ends):
        raise UserError(msg.BAD_RANGE if len(ends) == 2 else msg.BAD_DATE, value=part)
    first = read_day(ends[0], today)
    last = _range_end(ends[1], first, today) if len(ends) == 2 else first
    if last < first:
        raise UserError(msg.BACKWARDS, value=part)
    if (last - first).days >= MAX_DAYS:
        raise UserError(msg.TOO_MANY_DAYS, value=part, limit=MAX_DAYS)
    return first, last


def read_days(text: str, today: date) -> list[date]:
    """`12-01..12-31`, `12-06,12-07`, `12月1日至5日`, `下周`, `周一到周五`, mixed: sorted, distinct."""
    days: set[date] = set()
    for part in LIST.split(text.strip()):
        if not part.strip():
            continue
        first, last = _stretch(part.strip(), today)
        days.update(first + timedelta(days=offset) for offset in range((last - first).days + 1))
        if len(days) > MAX_DAYS:
            raise UserError(msg.TOO_MANY_DAYS, value=text, limit=MAX_DAYS)
    if not days:
        raise UserError(msg.NO_DATES)
    return sorted(days)


def read_range(text: str, today: date) -> tuple[date, date]:
    """One stretch of days (`12-10..12-20`, `12月30日到1月3日`, `下周`, or one day) as first and last day."""
    if not text.strip() or LIST.search(text.strip()):
        raise UserError(msg.BAD_RANGE, value=text)
    return _stretch(text.strip(), today)


# ---------------------------------------------------------------------------------------------- months


def _month_number(src: Source, today: date) -> tuple[int, int] | None:
    """(year, month) of `2026-11`, `2026年11月`, `11月`, `11`, `nov`, `november 2026`, or None.
    Without a year a month after this one is last year's: months are looked back on."""
    found = src.match(YEAR_MONTH, 0)
    if found is None or found.end() != len(src.norm):
        return None
    month = EN_MONTHS.index(found["mon"]) + 1 if found["mon"] else int(found["m"])
    year = found["y"] or found["ey"]
    if not 1 <= month <= 12:
        return None
    if year:
        return int(year), month
    return (today.year if month <= today.month else today.year - 1), month


def read_month(text: str | None, today: date) -> tuple[int, int]:
    """A month as (year, month): `2026-12`, `12`, `12月`, `十二月`, `上月`, `last month`; none: this one."""
    if not text or not text.strip():
        return today.year, today.month
    src = source(text)
    named = named_span(src.norm, today)
    found = (named[0].year, named[0].month) if named and named[0].day == 1 and named[1].day == 1 else None
    found = found or _month_number(src, today)
    if found is None or not 2000 <= found[0] <= 2100:
        raise UserError(msg.BAD_MONTH, value=text)
    return found


# ---------------------------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of shop-local days: [first, stop) as dates, and the same bounds in UTC for queries."""

    first: date
    stop: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first instant, shop-local midnight, in UTC (SQLite compares stored UTC times as text)."""
        return datetime.combine(self.first, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The instant after the last, shop-local midnight after the last day, in UTC."""
        return datetime.combine(self.stop, time(), self.zone).astimezone(UTC)

    @property
    def days(self) -> list[date]:
        """Every local day of the period, in order."""
        return [self.first + timedelta(days=n) for n in range((self.stop - self.first).days)]

    @property
    def label(self) -> str:
        """`2026-11-23` for one day, `2026-11-23 – 2026-11-29` for more."""
        last = self.stop - timedelta(days=1)
        return self.first.isoformat() if last == self.first else f"{self.first} – {last}"

    @property
    def slug(self) -> str:
        """A file-name-safe name: `2026-11-23`, `2026-11-23_2026-11-29`."""
        return self.label.replace(" – ", "_")


def _span(text: str, today: date) -> tuple[date, date] | None:
    """The days [first, stop) a report period names, or None."""
    src = source(text)
    named = named_span(src.norm, today)
    if named is not None:
        return named
    recent = src.match(LAST_DAYS, 0)
    if recent is not None and recent.end() == len(src.norm) and 1 <= int(recent["n"]) <= MAX_DAYS:
        return today - timedelta(days=int(recent["n"]) - 1), today + timedelta(days=1)
    month = _month_number(src, today)
    if month is not None:
        first = date(*month, 1)
        return first, next_month(first)
    try:
        first, last = _stretch(text, today)
    except UserError:
        return None
    return first, last + timedelta(days=1)


def read_stretch(text: str, today: date) -> tuple[date, date]:
    """The days [first, stop) a period names (today, 本周, 上月, 11月, 2026-11, 近7天, 12-01..12-15, one
    day), or why it names none."""
    found = _span(text.strip(), today)
    if found is None:
        if YEAR_MONTH.fullmatch(source(text).norm):
            raise UserError(msg.BAD_YEAR_MONTH, value=text)
        raise UserError(msg.UNKNOWN_PERIOD, value=text, choices=CHOICES)
    if not 2000 <= found[0].year <= 2100:
        raise UserError(msg.BAD_YEAR_MONTH, value=text)
    return found


def read_period(text: str | None, now: datetime, zone: ZoneInfo, default: str = TODAY) -> Period:
    """A report period in the shop's zone: today, 昨天, 本周, last week, 本月, 上月, 11月, 2026-11,
    近7天, 12-01..12-15; nothing means `default`."""
    words = text if text and text.strip() else default
    first, stop = read_stretch(words, now.astimezone(zone).date())
    return Period(first, stop, zone)


def is_period(word: str, today: date) -> bool:
    """Whether a word names a period (so commands can take their arguments in any order)."""
    return bool(word.strip()) and _span(word.strip(), today) is not None


# ---------------------------------------------------------------------------------------------- seasons


def read_month_day(text: str) -> str:
    """A season boundary, 05-01, 5月1日 or 五月一日, stored as MM-DD."""
    found = MONTH_DAY.fullmatch(source(text).norm)
    if found is None or real_date(2000, int(found["m"]), int(found["d"])) is None:  # 2000: 02-29 exists
        raise UserError(msg.BAD_MONTH_DAY, value=text)
    return f"{int(found['m']):02d}-{int(found['d']):02d}"


def month_day(value: str) -> tuple[int, int]:
    """A stored MM-DD as (month, day)."""
    month, _, day = value.partition("-")
    return int(month), int(day)


def in_season(day: date, first: str, last: str) -> bool:
    """Whether a date falls in the season from `first` to `last` (MM-DD, both included; may wrap the year)."""
    start, end, today = month_day(first), month_day(last), (day.month, day.day)
    return start <= today <= end if start <= end else today >= start or today <= end
