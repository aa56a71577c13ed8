"""The pieces of a time expression, each read at a position of folded text: clocks, durations, days,
weekdays, dates, repeats and windows. The schedule reader and the smaller readers share them.

Patterns match folded text (see text.py): ASCII digits, lower case, simplified characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.services.errors import UserError
from bot.services.when import messages as msg
from bot.services.when.rules import (
    EVERY_DAY,
    LAST,
    WEEKEND,
    Days,
    EveryWeeks,
    MonthDays,
    Weekdays,
    WorkingDays,
    monday_of,
)
from bot.services.when.text import Folded, fold

EARLY_HOURS = 6
"""A bare hour up to this (3点) is more likely the afternoon's in a shop: confirm it even in a repeat."""
MERIDIEM = r"(?P<ap>am|pm|a\.m\.|p\.m\.)(?![a-z])"
ZH_PARTS = "凌晨|半夜|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间|早(?=\\d)|晚(?=\\d)"
PARTS = {
    "凌晨": "early",
    "半夜": "early",
    "早上": "morning",
    "早晨": "morning",
    "清晨": "morning",
    "上午": "morning",
    "早": "morning",
    "morning": "morning",
    "中午": "noon",
    "下午": "afternoon",
    "afternoon": "afternoon",
    "傍晚": "evening",
    "晚上": "evening",
    "夜里": "evening",
    "夜间": "evening",
    "晚": "evening",
    "evening": "evening",
    "night": "evening",
    "tonight": "evening",
}
"""Parts of the day, by what they do to an hour (see `hour_in_part`)."""
CLOCK = re.compile(
    rf"(?:(?P<part>{ZH_PARTS})\s*)?(?P<h>\d{{1,2}})"
    r"(?::(?P<m>\d{2})(?![\d:])"
    r"|[点时](?:钟)?(?:(?P<half>半)|(?P<q>[123])刻(?!钟)|整|过?(?P<zm>\d{1,2})(?![\d:])(?:分(?!钟))?)?"
    r"|(?=\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z]))|\s*o'?clock(?![a-z]))"
    rf"(?:\s*{MERIDIEM})?"
)
AT_HOUR = re.compile(
    r"(?:at|@)\s*(?P<h>\d{1,2})(?![\d:./-])(?!\s*(?:am|pm|a\.m|p\.m|点|时|o'?clock|noon|midday|midnight))"
)
NOON = re.compile(r"(?:12\s*)?(?P<word>noon|midday|midnight)(?![a-z])")
EN_PART = re.compile(
    r"(?:in\s+the\s+|this\s+)?(?P<word>morning|afternoon|evening)(?![a-z])|at\s+night(?![a-z])"
)

ZH_HOURS = r"(?:个)?(?:小时|钟头)|个钟(?!头)"
DURATION_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], int]], ...] = (
    (re.compile(r"(?P<h>\d{1,4})个半(?:小时|钟头|钟)"), lambda f: int(f["h"]) * 60 + 30),
    (re.compile(r"半(?:个)?(?:小时|钟头|钟)"), lambda f: 30),
    (re.compile(r"(?P<q>\d{1,3})刻(?:钟)?"), lambda f: int(f["q"]) * 15),
    (
        re.compile(rf"(?P<h>\d{{1,5}}(?:\.\d{{1,2}})?)\s*(?:{ZH_HOURS})(?:\s*(?P<m>\d{{1,5}})\s*分(?:钟)?)?"),
        lambda f: round(float(f["h"]) * 60) + int(f["m"] or 0),
    ),
    (re.compile(r"(?P<m>\d{1,6})\s*(?:分钟|分)"), lambda f: int(f["m"])),
    (
        re.compile(
            r"(?P<h>\d{1,5}(?:\.\d{1,2})?)\s*(?:hours|hour|hrs|hr|h)(?![a-z])"
            r"(?:\s*(?:and\s+)?(?P<m>\d{1,5})\s*(?:minutes|minute|mins|min|m)(?![a-z]))?"
        ),
        lambda f: round(float(f["h"]) * 60) + int(f["m"] or 0),
    ),
    (re.compile(r"(?P<m>\d{1,6})\s*(?:minutes|minute|mins|min|m)(?![a-z])"), lambda f: int(f["m"])),
    (re.compile(r"(?:an\s+hour\s+and\s+a\s+half|1\.5\s+hours?)(?![a-z])"), lambda f: 90),
    (re.compile(r"half\s+(?:an\s+)?hour(?![a-z])"), lambda f: 30),
    (re.compile(r"(?:a\s+)?quarter\s+(?:of\s+an\s+)?hour(?![a-z])"), lambda f: 15),
    (re.compile(r"an?\s+hour(?![a-z])"), lambda f: 60),
)
"""Lengths of time to the minute, most specific first (1个半小时 before 1小时)."""
DAY_SPAN = re.compile(
    r"(?P<n>\d{1,3})\s*(?:(?P<day>天|日|days?(?![a-z]))|(?P<week>(?:个)?(?:周|星期|礼拜)|weeks?(?![a-z])))"
)
ZH_LATER = re.compile(r"\s*(?:以后|之后|后)")
EN_IN = re.compile(r"(?:in|after)\s+(?!the\s)")
EN_LATER = re.compile(r"\s+(?:later|from\s+now)(?![a-z])")

RELATIVE_DAYS: dict[str, tuple[int, str | None]] = {
    "大后天": (3, None),
    "后天": (2, None),
    "明天": (1, None),
    "明日": (1, None),
    "今天": (0, None),
    "今日": (0, None),
    "今晚": (0, "evening"),
    "今早": (0, "morning"),
    "今晨": (0, "morning"),
    "明早": (1, "morning"),
    "明晨": (1, "morning"),
    "明晚": (1, "evening"),
    "昨天": (-1, None),
    "昨日": (-1, None),
    "前天": (-2, None),
    "the day after tomorrow": (2, None),
    "day after tomorrow": (2, None),
    "tomorrow": (1, None),
    "tmrw": (1, None),
    "tmr": (1, None),
    "today": (0, None),
    "tonight": (0, "evening"),
    "yesterday": (-1, None),
}
RELATIVE_DAY = re.compile(
    "|".join(re.escape(word) + ("(?![a-z])" if word.isascii() else "") for word in RELATIVE_DAYS)
)

WEEK_WORD = "(?:周|星期|礼拜)"
ZH_WEEKDAY = "[1-7日天]"
ZH_WEEKDAYS = {**{str(n): n - 1 for n in range(1, 8)}, "日": 6, "天": 6}
EN_DAY_WORDS = (
    "mon monday",
    "tue tues tuesday",
    "wed weds wednesday",
    "thu thur thurs thursday",
    "fri friday",
    "sat saturday",
    "sun sunday",
)
EN_WEEKDAYS = {name: day for day, words in enumerate(EN_DAY_WORDS) for name in words.split()}
EN_WORD = re.compile(r"[a-z]+")
ZH_ONE_WEEKDAY = re.compile(rf"(?:(?P<rel>下下|下|这|本|上)(?:个)?)?{WEEK_WORD}(?P<d>{ZH_WEEKDAY})")
EN_ONE_WEEKDAY = re.compile(r"(?:(?P<rel>next|this|coming|last)\s+)?(?:on\s+)?(?=[a-z])")
WEEK_SHIFT = {
    None: 0,
    "这": 0,
    "本": 0,
    "this": 0,
    "coming": 0,
    "下": 1,
    "next": 1,
    "下下": 2,
    "上": -1,
    "last": -1,
}

EN_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
EN_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
ORDINAL = r"(?:st|nd|rd|th)?"
DATE = re.compile(
    r"(?:(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d:])"
    r"|(?:(?P<zy>\d{4})年\s*)?(?P<zmo>\d{1,2})月\s*(?P<zd>\d{1,2})\s*[日号]?"
    r"|(?P<smo>\d{1,2})[-/](?P<sd>\d{1,2})(?![\d:/-])"
    rf"|{EN_MONTH}\s+(?P<ed>\d{{1,2}}){ORDINAL}(?![a-z\d])(?:,?\s+(?P<ey>\d{{4}}))?"
    rf"|(?P<ed2>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+(?P<ey2>\d{4}))?)"
)
MONTH_DAY_ONLY = re.compile(r"(?:(?P<rel>下|本|这)(?:个)?月\s*)?(?P<d>\d{1,2})\s*[号日]")

EVERY_DAY_WORDS = re.compile(
    r"(?P<all>每(?:个|1)?(?:天|日)|天天|每(?=[早晚]\d)|every\s*day|each\s+day|daily)(?![a-z])"
    r"|(?P<work>(?:每(?:个)?)?工作日"
    r"|(?:every|each|on)\s+(?:weekday|workday|working\s+day|business\s+day)s?(?![a-z])"
    r"|(?:weekdays|workdays|working\s+days)(?![a-z]))"
    r"|(?P<weekend>(?:每(?:个)?)?周末|(?:every|each|on)\s+weekends?(?![a-z])|weekends(?![a-z]))"
)
ZH_EVERY_WEEK = re.compile(rf"每(?:个)?{WEEK_WORD}")
ZH_EVERY_WEEKS = re.compile(
    rf"(?:每隔(?P<gap>\d{{1,2}})(?:个)?|每(?P<n>\d{{1,2}})(?:个)?|(?P<other>隔|双)){WEEK_WORD}(?:的|\s)*"
)
EN_EVERY_WEEKS = re.compile(
    r"(?:every\s+(?:(?P<other>other)|(?P<n>\d{1,2})(?:st|nd|rd|th)?)\s+weeks?|(?P<fortnight>bi-?weekly|"
    r"fortnightly|every\s+fortnight))(?![a-z])(?:\s+on)?\s*"
)
EN_EVERY_OTHER_DAY = re.compile(r"every\s+other\s+(?=[a-z])")
ZH_MONTHLY = re.compile(
    r"每(?:个)?月(?:的)?\s*(?:(?P<d>\d{1,2})\s*[号日]|(?P<last>最后(?:1)?天|月?底|月?末))"
)
EN_MONTHLY = re.compile(
    rf"(?:on\s+)?the\s+(?:(?P<d>\d{{1,2}}){ORDINAL}|(?P<last>last))\s+(?:day\s+)?of\s+(?:every|each|the)\s+month"
    rf"|(?:(?:every|each)\s+month|monthly)\s+on\s+the\s+(?:(?P<d2>\d{{1,2}}){ORDINAL}|(?P<last2>last\s+day))"
    r"(?![a-z])"
)
ZH_INTERVAL = re.compile(r"每(?:隔)?(?:个)?")
ZH_EVERY_UNIT = re.compile(r"每(?:个)?(?:(?P<hour>小时|钟头)|(?P<minute>分钟))")
EN_EVERY = re.compile(r"(?:every|each)\s+")
EN_ON = re.compile(r"on\s+")
EN_EVERY_UNIT = re.compile(
    r"(?:(?:every|each)\s+(?:(?P<hour>hour)|(?P<minute>minute))|(?P<hourly>hourly))(?![a-z])"
)
WINDOW_WORD = re.compile(r"(?:from|between)\s+|从")
WINDOW_DASH = re.compile(r"\s*(?:to|and|till|until|-|~|到|至)\s*")
WINDOW_TAIL = re.compile(r"\s*(?:之间|期间)")
DAY_DASH = re.compile(rf"\s*(?:至|到|-|~)\s*{WEEK_WORD}?")
DAY_JOIN = re.compile(r"\s*[、,/和及与]\s*" + WEEK_WORD + "?")
EN_DAY_DASH = re.compile(r"\s*(?:-|~|\s+to\s+|\s+through\s+|\s+thru\s+)\s*")
EN_DAY_JOIN = re.compile(r"\s*[,/&]\s*(?:and\s+)?|\s+and\s+|\s+")
SPACE = re.compile(r"\s*")
CONNECTOR = re.compile(r"(?:\s|,|;|的|在|于)*")
EN_CONNECTOR = re.compile(r"(?:at|on|@)\s*")


# ---------------------------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class Concern:
    """Why a reading should be confirmed before it is saved: a message and its parameters."""

    message: str
    params: dict[str, object]


@dataclass(frozen=True)
class Piece:
    """A piece of a time expression and where it is in the folded text."""

    start: int
    end: int


@dataclass(frozen=True)
class ClockPiece(Piece):
    """A time of day as typed, before the part of the day applies (3点 with 下午 is 15:00)."""

    hour: int
    minute: int
    part: str | None
    meridiem: str | None
    padded: bool
    """Written with a leading zero (09:00): a 24-hour time, never the other half of the day."""

    @property
    def bare(self) -> bool:
        """An hour 1–11 with nothing saying which half of the day: 3点 may be 03:00 or 15:00."""
        return 1 <= self.hour <= 11 and not (self.part or self.meridiem or self.padded)


@dataclass(frozen=True)
class EveryPiece(Piece):
    """Every `minutes` (每30分钟, every 2h, hourly)."""

    minutes: int


@dataclass(frozen=True)
class DaysPiece(Piece):
    """The days a rule repeats on (每天, 工作日, 每周一三五, 每两周周三, 每月1号)."""

    on: Days
    concern: Concern | None = None
    other: Days | None = None
    """Another reading of the same words (每隔两周: every 3 weeks, or 2)."""


@dataclass(frozen=True)
class WindowPiece(Piece):
    """A daily window, 9点到18点 or from 09:00 to 18:00."""

    first: ClockPiece
    last: ClockPiece


@dataclass(frozen=True)
class DelayPiece(Piece):
    """A delay from now: minutes (两小时后, in 45m) or whole days (3天后, in 2 weeks)."""

    minutes: int | None
    days: int | None


@dataclass(frozen=True)
class DayPiece(Piece):
    """One date (明天, 下周一, 12月5日), the part of the day it names (今晚), and whether a weekday alone
    may roll on a week when its time today has passed (周五10点 typed on a Friday at 11:00)."""

    day: date
    part: str | None = None
    rolls: bool = False


@dataclass(frozen=True)
class PartPiece(Piece):
    """A part of the day on its own (in the morning, this evening)."""

    part: str


# ---------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Source:
    """Folded text and the position helpers every reader uses."""

    text: Folded

    @property
    def norm(self) -> str:
        """The folded text."""
        return self.text.norm

    def match(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """Match a pattern at `pos`, and only where the match ends a word (14:30x is not a time)."""
        found = pattern.match(self.norm, pos)
        return found if found is not None and found.end() > pos and self.ends_at(found.end()) else None

    def skip(self, pos: int) -> int:
        """The position after any spaces at `pos`."""
        found = SPACE.match(self.norm, pos)
        return found.end() if found else pos

    def ends_at(self, pos: int) -> bool:
        """Whether a time expression may end at `pos`: not inside an ASCII word or number."""
        if pos >= len(self.norm) or pos == 0:
            return True
        before, char, following = self.norm[pos - 1], self.norm[pos], self.norm[pos + 1 : pos + 2]
        if not (before.isascii() and before.isalnum() and char.isascii()):
            return True
        return not (char.isalnum() or char in ":'" or (char in "/." and following.isdigit()))

    def typed(self, start: int, end: int) -> str:
        """The words as typed between two positions."""
        return self.text.typed(start, end)

    def word(self, pos: int) -> str:
        """The typed word at `pos`, to quote back in an error."""
        rest = self.text.rest(self.skip(pos)).split()
        return rest[0] if rest else self.text.raw.strip()


def source(text: str) -> Source:
    """Fold typed text for reading."""
    return Source(fold(" ".join(text.split())))


def cant_read(src: Source, pos: int) -> UserError:
    """The catch-all error, quoting the first word not understood."""
    return UserError(msg.CANT_READ, value=src.word(pos))


def clock_at(src: Source, pos: int) -> ClockPiece | None:
    """A time of day at `pos`: 14:30, 2:30pm, 14点30, 下午3点半, 3点一刻, noon, at 3."""
    found = src.match(CLOCK, pos)
    if found is not None:
        minute = (
            30
            if found["half"]
            else 15 * int(found["q"])
            if found["q"]
            else int(found["m"] or found["zm"] or 0)
        )
        return _clock(src, found, int(found["h"]), minute, found["part"], found["ap"])
    found = src.match(AT_HOUR, pos)
    if found is not None:
        return _clock(src, found, int(found["h"]), 0, None, None)
    found = src.match(NOON, pos)
    if found is not None:
        noon = found["word"] != "midnight"
        return ClockPiece(found.start(), found.end(), 12 if noon else 0, 0, None, None, True)
    return None


def _clock(
    src: Source, found: re.Match[str], hour: int, minute: int, part: str | None, meridiem: str | None
) -> ClockPiece:
    """A clock piece, refusing minutes past 59 and hours past 23 as they are typed (25点, 14:61)."""
    if minute > 59 or hour > 23 or (meridiem and not 1 <= hour <= 12):
        raise UserError(msg.BAD_CLOCK, value=src.typed(found.start(), found.end()))
    padded = (
        found["h"].startswith("0")
        or hour == 0
        or (len(found["h"]) == 2 and found.groupdict().get("m") is not None)
    )
    return ClockPiece(found.start(), found.end(), hour, minute, PARTS.get(part or ""), meridiem, padded)


def hour_in_part(hour: int, part: str | None, meridiem: str | None) -> tuple[int, bool] | None:
    """The 24-hour hour a typed hour means in a part of the day, and whether it falls after midnight
    (晚上12点 is the midnight that ends the day); None when they contradict (上午15点, 13pm)."""
    if meridiem is not None:
        if part is not None:
            return None
        return hour % 12 + (12 if meridiem.startswith("p") else 0), False
    if part is None:
        return (hour, False) if hour <= 23 else None
    if part == "early":
        return (hour % 12, hour == 12) if hour <= 6 or hour == 12 else None
    if part == "morning":
        return (hour, False) if hour <= 12 else None
    if part == "noon":
        return (hour, False) if hour in (11, 12) else (hour + 12, False) if 1 <= hour <= 3 else None
    if part == "afternoon":
        return (hour + 12, False) if 1 <= hour <= 11 else (hour, False) if 12 <= hour <= 23 else None
    if 5 <= hour <= 11:
        return hour + 12, False
    if hour == 12 or 1 <= hour <= 4:
        return hour % 12, True
    return (hour, False) if 13 <= hour <= 23 else None


def duration_at(src: Source, pos: int) -> tuple[int, int] | None:
    """Minutes and end of a length of time at `pos` (1h30m, 90 min, 两小时, 一个半小时, 三刻钟), or None."""
    for pattern, minutes in DURATION_PATTERNS:
        found = src.match(pattern, pos)
        if found is not None:
            return minutes(found), found.end()
    return None


def delay_at(src: Source, pos: int) -> DelayPiece | None:
    """A delay from now: 45分钟后, 两小时后, 3天后, in 45m, in 3 days, 2 hours later."""
    keyword = src.match(EN_IN, pos)
    start = keyword.end() if keyword else pos
    days = src.match(DAY_SPAN, start)
    if days is not None:
        count = int(days["n"]) * (7 if days["week"] else 1)
        tail = src.match(ZH_LATER, days.end()) or src.match(EN_LATER, days.end())
        if keyword or tail:
            return DelayPiece(pos, tail.end() if tail else days.end(), None, count)
    found = duration_at(src, start)
    if found is None:
        if keyword:
            raise cant_read(src, start)
        return None
    tail = src.match(ZH_LATER, found[1]) or src.match(EN_LATER, found[1])
    if keyword is None and tail is None:
        return None
    return DelayPiece(pos, tail.end() if tail else found[1], found[0], None)


def relative_day_at(src: Source, pos: int, today: date) -> DayPiece | None:
    """今天, 明天, 后天, 大后天, 今晚, 明早, today, tomorrow, tonight."""
    found = src.match(RELATIVE_DAY, pos)
    if found is None:
        return None
    days, part = RELATIVE_DAYS[found[0]]
    return DayPiece(pos, found.end(), today + timedelta(days=days), part)


def _weekday_date(today: date, weekday: int, shift: int) -> date:
    """The weekday in this week (shift 0, from today on), next week (1) or last week (-1)."""
    if shift == 0:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    return monday_of(today) + timedelta(days=7 * shift + weekday)


def weekday_at(src: Source, pos: int, today: date) -> DayPiece | None:
    """One weekday as a date: 周五, 下周一, 这周五, 星期日, friday, next monday."""
    found = src.match(ZH_ONE_WEEKDAY, pos)
    if found is not None:
        shift = WEEK_SHIFT[found["rel"]]
        day = _weekday_date(today, ZH_WEEKDAYS[found["d"]], shift)
        return DayPiece(pos, found.end(), day, None, found["rel"] is None)
    lead = EN_ONE_WEEKDAY.match(src.norm, pos)
    name = _en_weekday(src, lead.end()) if lead else None
    if lead is None or name is None or name[1]:
        return None
    shift = WEEK_SHIFT[lead["rel"]]
    return DayPiece(pos, name[2], _weekday_date(today, name[0], shift), None, lead["rel"] is None)


def _en_weekday(src: Source, pos: int) -> tuple[int, bool, int] | None:
    """An English weekday name at `pos` (mon, tues, friday), whether it is plural (mondays), and its end."""
    found = src.match(EN_WORD, pos)
    if found is None:
        return None
    word = found[0]
    if word in EN_WEEKDAYS:
        return EN_WEEKDAYS[word], False, found.end()
    if word.endswith("s") and word[:-1] in EN_WEEKDAYS:
        return EN_WEEKDAYS[word[:-1]], True, found.end()
    return None


def date_at(
    src: Source, pos: int, today: date, pick: Callable[[int, int, date], date | None]
) -> DayPiece | None:
    """A calendar date (2026-12-01, 12-01, 12月1日, Dec 5, 5号); without a year, the year `pick` chooses."""
    found = src.match(DATE, pos)
    if found is not None:
        year = found["y"] or found["zy"] or found["ey"] or found["ey2"]
        mon = found["mon"] or found["mon2"]
        month = EN_MONTHS.index(mon) + 1 if mon else int(found["mo"] or found["zmo"] or found["smo"])
        number = int(found["d"] or found["zd"] or found["sd"] or found["ed"] or found["ed2"])
        day = real_date(int(year), month, number) if year else pick(month, number, today)
        if day is None:
            raise UserError(msg.BAD_DATE, value=src.typed(found.start(), found.end()))
        return DayPiece(pos, found.end(), day)
    found = src.match(MONTH_DAY_ONLY, pos)
    if found is None:
        return None
    first = today.replace(day=1)
    start = first if found["rel"] != "下" else (first + timedelta(days=32)).replace(day=1)
    day = real_date(start.year, start.month, int(found["d"]))
    if found["rel"] is None and day is not None and day < today:
        following = (first + timedelta(days=32)).replace(day=1)
        day = real_date(following.year, following.month, int(found["d"]))
    if day is None:
        raise UserError(msg.BAD_DATE, value=src.typed(found.start(), found.end()))
    return DayPiece(pos, found.end(), day)


def real_date(year: int, month: int, day: int) -> date | None:
    """The calendar date, or None when it does not exist (02-30) or is too far off to count days from."""
    if not 1900 <= year <= 2199:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def coming(month: int, day: int, today: date) -> date | None:
    """The next such date from today on (an alarm's 12-01 is the coming one)."""
    found = real_date(today.year, month, day)
    if found is not None and found >= today:
        return found
    return real_date(today.year + 1, month, day) or real_date(today.year + 4 - today.year % 4, month, day)


def nearest(month: int, day: int, today: date) -> date | None:
    """The such date nearest to today (a roster's 12-31 in January is last December's)."""
    candidates = [found for year in (-1, 0, 1) if (found := real_date(today.year + year, month, day))]
    return min(candidates, key=lambda found: abs((found - today).days), default=None)


# ---------------------------------------------------------------------------------------------- repeats


def _zh_day_list(src: Source, pos: int) -> tuple[frozenset[int], int, bool] | None:
    """Weekdays after a week word (一三五, 一、三、五, 一至五, 一到周五), and whether several were named."""
    return _day_list(src, pos, _zh_day, DAY_DASH, DAY_JOIN)


def _zh_day(src: Source, pos: int) -> tuple[int, int] | None:
    """One Chinese weekday digit (1–7, 日, 天) at `pos`."""
    if pos < len(src.norm) and src.norm[pos] in ZH_WEEKDAYS:
        after = src.norm[pos + 1 : pos + 2]
        if not (after.isdigit() and src.norm[pos].isdigit() and after not in ZH_WEEKDAYS):
            return ZH_WEEKDAYS[src.norm[pos]], pos + 1
    return None


def _en_day(src: Source, pos: int) -> tuple[int, int] | None:
    """One English weekday name (mon, tues, friday, sundays) at `pos`."""
    found = _en_weekday(src, pos)
    return None if found is None else (found[0], found[2])


def _day_range(first: int, last: int) -> set[int]:
    """The weekdays from `first` to `last`, wrapping past Sunday (fri-mon)."""
    return {(first + step) % 7 for step in range((last - first) % 7 + 1)}


def _day_list(
    src: Source,
    pos: int,
    item: Callable[[Source, int], tuple[int, int] | None],
    dash: re.Pattern[str],
    join: re.Pattern[str],
) -> tuple[frozenset[int], int, bool] | None:
    """Weekdays like mon,wed,fri / mon-fri / 135 / 1至5; None if none at `pos`."""
    first = item(src, pos)
    if first is None:
        return None
    days, (last, pos), many = {first[0]}, first, False
    while True:
        ranged = dash.match(src.norm, pos)
        following = item(src, ranged.end()) if ranged else None
        if following:
            days |= _day_range(last, following[0])
        else:
            joined = join.match(src.norm, pos)
            following = item(src, joined.end()) if joined and joined.end() > pos else item(src, pos)
            if following is None:
                return frozenset(days), pos, many
            days.add(following[0])
        many = True
        last, pos = following


def _en_day_list(src: Source, pos: int) -> tuple[frozenset[int], int, bool] | None:
    """English weekdays: mon,wed,fri / monday and thursday / mon-fri."""
    return _day_list(src, pos, _en_day, EN_DAY_DASH, EN_DAY_JOIN)


def days_at(src: Source, pos: int, today: date) -> DaysPiece | None:
    """The days a rule repeats on, in any of the ways people say them."""
    for reader in (_every_weeks, _monthly, _weekly, _every_day):
        found = reader(src, pos, today)
        if found is not None:
            return found
    return None


def _every_day(src: Source, pos: int, today: date) -> DaysPiece | None:
    """每天, 天天, daily, 工作日, every weekday, 周末, weekends."""
    found = src.match(EVERY_DAY_WORDS, pos)
    if found is None:
        return None
    on: Days = EVERY_DAY if found["all"] else WorkingDays() if found["work"] else Weekdays(WEEKEND)
    return DaysPiece(pos, found.end(), on)


def _weekly(src: Source, pos: int, today: date) -> DaysPiece | None:
    """每周一三五, 每星期六, 周一到周五, 周一、周三 (a list or range repeats), every mon,wed,fri, mondays."""
    every = src.match(ZH_EVERY_WEEK, pos)
    week = every or src.match(re.compile(WEEK_WORD), pos)
    if week is not None:
        days = _zh_day_list(src, week.end())
        if days is None:
            if every is not None and not src.match(re.compile(r"末"), week.end()):
                raise UserError(msg.BAD_DAYS, value=src.word(pos))
            return None
        if every is None and not days[2]:
            return None  # 周五 alone is one day, not a repeat
        return DaysPiece(pos, days[1], Weekdays(days[0]))
    keyword = src.match(EN_EVERY, pos) or src.match(EN_ON, pos)
    start = keyword.end() if keyword else pos
    days = _en_day_list(src, start)
    first = _en_weekday(src, start)
    if days is None or first is None:
        return None
    repeats = keyword is not None and keyword[0].startswith(("every", "each"))
    if not (repeats or first[1] or days[2]):
        return None  # friday alone is one day, not a repeat
    return DaysPiece(pos, days[1], Weekdays(days[0]))


def _every_weeks(src: Source, pos: int, today: date) -> DaysPiece | None:
    """每隔一周周三, 每两周的周三, 隔周周三, every other week on wednesday, every 2nd week on wed."""
    zh = src.match(ZH_EVERY_WEEKS, pos)
    en = None if zh else src.match(EN_EVERY_WEEKS, pos) or src.match(EN_EVERY_OTHER_DAY, pos)
    found = zh or en
    if found is None:
        return None
    groups = found.groupdict()
    loose: int | None = None
    if groups.get("gap"):
        weeks = int(groups["gap"]) + 1
        loose = weeks - 1 if weeks > 2 else None  # 每隔两周 said loosely: every 2 weeks
    elif groups.get("n"):
        weeks = int(groups["n"])
    else:
        weeks = 2  # 隔周, 双周, every other week, fortnightly
    if zh is not None and groups.get("n") and weeks == 1:
        return None  # 每1周 is plain weekly: the weekly reader takes it
    typed = src.typed(pos, found.end())
    if not 2 <= weeks <= 52:
        raise UserError(msg.BAD_WEEKS, value=typed)
    days = _zh_weeks_days(src, found.end()) if zh else _en_day_list(src, found.end())
    if days is None:
        raise UserError(msg.NO_WEEKDAY, value=typed)
    on = EveryWeeks(weeks, days[0], monday_of(today))
    if loose is None:
        return DaysPiece(pos, days[1], on)
    concern = Concern(msg.LITERAL_WEEKS, {"value": typed, "literal": weeks, "n": loose})
    return DaysPiece(pos, days[1], on, concern, replace(on, weeks=loose))


def _zh_weeks_days(src: Source, pos: int) -> tuple[frozenset[int], int, bool] | None:
    """The weekdays after 每两周: with their week word (周三) or without it when it was just said."""
    week = src.match(re.compile(WEEK_WORD), pos)
    return _zh_day_list(src, week.end() if week else pos)


def _monthly(src: Source, pos: int, today: date) -> DaysPiece | None:
    """每月1号, 每月最后一天, 每月底, on the 1st of every month, monthly on the last day."""
    found = src.match(ZH_MONTHLY, pos) or src.match(EN_MONTHLY, pos)
    if found is None:
        return None
    groups = found.groupdict()
    if groups.get("last") or groups.get("last2"):
        return DaysPiece(pos, found.end(), MonthDays(LAST))
    number = int(groups.get("d") or groups.get("d2") or 0)
    if not 1 <= number <= 31:
        raise UserError(msg.BAD_MONTH_DAY_NUMBER, value=src.typed(pos, found.end()))
    concern = Concern(msg.SKIPPED_MONTHS, {"day": number}) if number > 28 else None
    return DaysPiece(pos, found.end(), MonthDays(number), concern, MonthDays(LAST) if concern else None)


def every_at(src: Source, pos: int) -> EveryPiece | None:
    """每30分钟, 每隔45分钟, 每两小时, 每小时, 每半小时, every 30m, every hour, hourly."""
    unit = src.match(ZH_EVERY_UNIT, pos) or src.match(EN_EVERY_UNIT, pos)
    if unit is not None:
        return EveryPiece(pos, unit.end(), 1 if unit["minute"] else 60)
    keyword = src.match(ZH_INTERVAL, pos) or src.match(EN_EVERY, pos)
    if keyword is None:
        return None
    found = duration_at(src, keyword.end())
    if found is None:
        return None
    if not 1 <= found[0] <= 24 * 60:
        raise UserError(msg.BAD_INTERVAL, value=src.typed(pos, found[1]))
    return EveryPiece(pos, found[1], found[0])


def window_at(src: Source, pos: int) -> WindowPiece | None:
    """A daily window: 9点到18点, 从9:00到18:00, from 09:00 to 18:00, between 9 and 17, 09:00-18:00."""
    keyword = src.match(WINDOW_WORD, pos)
    first = clock_at(src, src.skip(keyword.end()) if keyword else pos) or (
        _bare_hour(src, src.skip(keyword.end())) if keyword else None
    )
    if first is None:
        if keyword:
            raise UserError(msg.NO_WINDOW_END, value=src.typed(0, keyword.end()))
        return None
    dash = WINDOW_DASH.match(src.norm, first.end)
    last = (clock_at(src, dash.end()) or (_bare_hour(src, dash.end()) if keyword else None)) if dash else None
    if last is None:
        if keyword:
            raise UserError(msg.NO_WINDOW_END, value=src.typed(0, first.end))
        return None
    tail = WINDOW_TAIL.match(src.norm, last.end)
    return WindowPiece(pos, tail.end() if tail else last.end, first, last)


def _bare_hour(src: Source, pos: int) -> ClockPiece | None:
    """A plain number as an hour, only right after `from`/`between`/`to` (from 9 to 17)."""
    found = src.match(re.compile(r"(?P<h>\d{1,2})(?![\d:])"), pos)
    return None if found is None else _clock(src, found, int(found["h"]), 0, None, None)


def part_at(src: Source, pos: int) -> PartPiece | None:
    """A part of the day said on its own in English: in the morning, this afternoon, at night."""
    found = src.match(EN_PART, pos)
    if found is None:
        return None
    return PartPiece(pos, found.end(), PARTS[found["word"] or "night"])
