"""When `/shelf` alarms fire: the schedule people type, in English or Chinese, and its fire times across DST.

DST policy (wall times are in the shop's zone):
- Once and Weekly: a wall time in a spring-forward gap fires shifted forward by the gap (02:30 → 03:30 in New
  York); an ambiguous wall time (fall back) fires once, at its first (fold=0) instant.
- Windowed Interval: wall-clock slots start + k*minutes; a slot that does not exist is skipped (shifting it
  would land on, or between, real slots), an ambiguous slot fires once at its first instant.
- Unbounded Interval: fires at every instant whose local wall-clock reading is local midnight + k*minutes, in
  the offset in force at that instant; so after a shift the alignment of the new offset applies (30m keeps
  firing every 30 real minutes through a 1-hour shift) and nothing fires at or before `after`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import N_
from bot.services.clean import clean
from bot.services.errors import UserError

DAY_MINUTES = 24 * 60
SECOND = timedelta(seconds=1)
MAX_AHEAD = timedelta(days=366)
"""How far ahead a one-off alarm may be: further is surely a typo for a shelf-change reminder."""
MAX_TEXT = 300
MAX_HOPS = 8
"""Offset changes one unbounded-interval step may cross; real zones need at most one."""
ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})
DAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))

CANT_READ = N_(
    "I can't read “{value}” as a time. Examples: at 14:30, in 45m, every 30m from 09:00 to 18:00, "
    "every day 10:00, 14点30, 45分钟后, 每天10点."
)
EMPTY = N_(
    "Say when and what, e.g. /shelf every 30m from 09:00 to 18:00 change the listings, or /shelf 14点30 上架."
)
BAD_CLOCK = N_("“{value}” is not a time of day: use 00:00–23:59, e.g. 14:30 or 14点30.")
BAD_DATE = N_("“{value}” is not a date. Examples: 2026-12-01, 12-01, 12月1日.")
PAST = N_("“{value}” is in the past. Give a time still ahead, e.g. tomorrow 9:00 or 明天9点.")
TOO_FAR = N_("“{value}” is more than {days} days ahead; give a nearer time.")
TOO_SOON = N_("“{value}” is not ahead of now: give at least 1 minute, e.g. in 5m or 5分钟后.")
BAD_INTERVAL = N_("The interval “{value}” should be from 1 minute to 24 hours, e.g. every 30m or 每30分钟.")
NO_WINDOW_END = N_(
    "Give the window with a start and an end after “{value}”, e.g. every 30m from 09:00 to 18:00 or "
    "每30分钟 9点到18点."
)
WINDOW_ORDER = N_(
    "The window “{value}” must end after it starts, e.g. from 09:00 to 18:00 (not across midnight)."
)
NO_CLOCK = N_("Say the time of day after “{value}”, e.g. every day 10:00 or 每天10点.")
BAD_DAYS = N_(
    "I can't read “{value}” as days of the week. Examples: every mon,wed,fri 09:30, every weekday 09:00, "
    "每周一三五 9点30, 工作日9点."
)
NO_TEXT = N_("Say what the alarm is for after “{value}”, e.g. /shelf {value} put the new arrivals on sale.")
TEXT_LONG = N_("The alarm text is {length} characters; keep it to {limit}.")
BAD_LEAD = N_("I can't read the heads-up “{value}”. Examples: lead=5m, 提前=5分钟.")
LEAD_TWICE = N_("Give the heads-up only once, e.g. lead=5m.")
LEAD_SHORT = N_("The heads-up “{value}” must be at least 1 minute, e.g. lead=5m.")
LEAD_LONG = N_("The heads-up “{value}” must be shorter than the time between alarms ({limit} min).")
LEAD_PAST = N_("The heads-up “{value}” would be before now: the alarm is only {limit} min away.")


def _fold_table() -> dict[int, int]:
    """Full-width forms and capitals to lower-case ASCII, one character for one, so positions still match."""
    table = {code: ord(chr(code - 0xFEE0).lower()) for code in range(0xFF01, 0xFF5F)}
    table |= {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
    table |= {0x3000: ord(" "), 0x2013: ord("-"), 0x2014: ord("-"), 0x301C: ord("~")}
    return table


FOLD = _fold_table()

PERIOD = "凌晨|早上|早晨|上午|中午|下午|傍晚|晚上"
MORNING = frozenset({"凌晨", "早上", "早晨", "上午"})
CLOCK = re.compile(
    rf"(?P<period>{PERIOD})?\s*(?P<h>[0-9]{{1,2}})"
    r"(?::(?P<m>[0-9]{2})(?:\s*(?P<ap>am|pm)(?![a-z]))?"
    r"|[点點时時]钟?(?:(?P<half>半)|(?P<zm>[0-9]{1,2})(?:分(?![钟鐘]))?)?"
    r"|\s*(?P<ap2>am|pm)(?![a-z]))"
)
DATE = re.compile(
    r"(?:(?P<y>[0-9]{4})[-/.](?P<mo>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})"
    r"|(?:(?P<zy>[0-9]{4})年)?(?P<zmo>[0-9]{1,2})月(?P<zd>[0-9]{1,2})[日号號]"
    r"|(?P<smo>[0-9]{1,2})[-/](?P<sd>[0-9]{1,2})(?![0-9:]))"
)
RELATIVE_DAYS = dict.fromkeys(("today", "今天", "今日"), 0) | dict.fromkeys(
    ("tomorrow", "tmr", "tmrw", "明天", "明日"), 1
)
RELATIVE_DAYS |= dict.fromkeys(("后天", "後天"), 2)
RELATIVE_DAY = re.compile(r"(?:today|tomorrow|tmrw|tmr)(?![a-z])|今天|今日|明天|明日|后天|後天")
HOURS = re.compile(r"([0-9]{1,5})\s*(?:hours|hour|hrs|hr|h|个小时|個小時|小时|小時|个钟头|钟头)(?![a-z])")
MINUTES = re.compile(r"([0-9]{1,5})\s*(?:minutes|minute|mins|min|m|分钟|分鐘|分)(?![a-z])")
HALF_HOUR = re.compile(r"半个?小时|半個?小時|半个?钟头|half an hour(?![a-z])|half hour(?![a-z])")
SPACE = re.compile(r"\s*")
AT = re.compile(r"at\s+|@\s*")
IN = re.compile(r"in\s+")
AGO = re.compile(r"\s*(?:以后|以後|之后|之後|后|後)")
EVERY = re.compile(r"every\s+")
EN_DAILY = re.compile(r"(?:daily|day|weekdays?|workdays?|weekends?)(?![a-z])")
EN_UNIT = re.compile(r"(?:hourly|hour|minute)(?![a-z])")
EN_WORD = re.compile(r"[a-z]+")
EN_DAY_WORDS = (
    "mon monday",
    "tue tues tuesday",
    "wed weds wednesday",
    "thu thur thurs thursday",
    "fri friday",
    "sat saturday",
    "sun sunday",
)
EN_DAYS = {
    name: day for day, words in enumerate(EN_DAY_WORDS) for name in (*words.split(), words.split()[-1] + "s")
}
EN_SEPARATOR = re.compile(r"\s*[,/&]\s*|\s+and\s+|\s+")
EN_DASH = re.compile(r"\s*(?:-|~)\s*|\s+to\s+")
ZH_EVERY = re.compile(r"每(?:个|個)?")
ZH_DAILY = re.compile(r"天天|(?:每(?:个|個)?)?(?:工作日|周末|週末)")
ZH_AFTER_EVERY = re.compile(r"天|日|工作日|周末|週末")
ZH_WEEK = re.compile(r"周|週|星期|礼拜|禮拜")
ZH_DAY = re.compile(r"(?:周|週|星期|礼拜|禮拜)?([一二三四五六日天七])")
ZH_DAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
ZH_SEPARATOR = re.compile(r"[、,/]")
ZH_DASH = re.compile(r"[至到\-~]")
ZH_UNIT = re.compile(r"隔?(?:(?P<hour>个?小时|個?小時|个?钟头)|(?P<minute>分钟|分鐘))")
WINDOW_WORD = re.compile(r"(?:from|between)\s+|从|從")
WINDOW_DASH = re.compile(r"\s*(?:to|and|till|until|-|~|到|至)\s*")
DAY_SPANS = {"day": ALL_DAYS, "daily": ALL_DAYS, "天": ALL_DAYS, "日": ALL_DAYS, "天天": ALL_DAYS}
DAY_SPANS |= dict.fromkeys(("weekday", "weekdays", "workday", "workdays", "工作日"), WEEKDAYS)
DAY_SPANS |= dict.fromkeys(("weekend", "weekends", "周末", "週末"), WEEKEND)
LEAD = re.compile(r"(?:lead|提前)[=:](?P<value>.*)|提前(?P<bare>[0-9半].*)", re.DOTALL)
TEXT_PUNCTUATION = " ,;:、，；：。"


# ---------------------------------------------------------------------------------------------- the rules


def _check_wall(value: time) -> None:
    """Wall times are whole minutes without a zone, so they serialise as HH:MM and mean the shop's clock."""
    if value.tzinfo is not None or value.second or value.microsecond:
        raise ValueError(f"a wall time must be a whole minute without tzinfo, not {value!r}")


@dataclass(frozen=True)
class Once:
    """One alarm at a fixed instant, kept in UTC so it stays put whatever zone later reads it."""

    at: datetime

    def __post_init__(self) -> None:
        """Refuse a naive instant and store it in UTC, so equal instants compare and serialise alike."""
        if self.at.utcoffset() is None:
            raise ValueError("Once.at must be timezone-aware")
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True)
class Interval:
    """Every `minutes`, either all day (aligned to local midnight) or inside a daily wall-clock window."""

    minutes: int
    start: time | None = None
    end: time | None = None

    def __post_init__(self) -> None:
        """Only schedules the parser can produce exist, so the scheduler never meets a nonsense rule."""
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int):
            raise ValueError(f"Interval.minutes must be an int, not {self.minutes!r}")
        if not 1 <= self.minutes <= DAY_MINUTES:
            raise ValueError(f"Interval.minutes must be 1–{DAY_MINUTES}, not {self.minutes}")
        if (self.start is None) != (self.end is None):
            raise ValueError("an Interval window needs both a start and an end")
        if self.start is not None and self.end is not None:
            _check_wall(self.start)
            _check_wall(self.end)
            if self.end <= self.start:
                raise ValueError("an Interval window must end after it starts")


@dataclass(frozen=True)
class Weekly:
    """At one wall time on some weekdays (Monday=0); every day is all seven."""

    at: time
    days: frozenset[int]

    def __post_init__(self) -> None:
        """Only real weekdays and whole-minute wall times, so every rule has a next fire time."""
        _check_wall(self.at)
        days = frozenset(self.days)
        if not days or not days <= ALL_DAYS or any(isinstance(day, bool) for day in days):
            raise ValueError(f"Weekly.days must be a non-empty set of 0–6, not {self.days!r}")
        object.__setattr__(self, "days", days)


Rule = Once | Interval | Weekly


@dataclass(frozen=True)
class Parsed:
    """What `/shelf` asked for: when, what to say, and how long before each alarm to warn."""

    rule: Rule
    text: str
    lead: timedelta | None


# ---------------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Source:
    """The typed words twice: as typed (for the alarm text and quotes) and folded (for matching)."""

    raw: str
    norm: str

    def match(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """Match a pattern on the folded text at `pos`."""
        return pattern.match(self.norm, pos)

    def skip(self, pos: int) -> int:
        """The position after any spaces at `pos`."""
        found = SPACE.match(self.norm, pos)
        return found.end() if found else pos

    def word(self, pos: int) -> str:
        """The typed word at `pos`, to quote back in an error."""
        rest = self.raw[self.skip(pos) :].split()
        return rest[0] if rest else self.raw.strip()

    def span(self, start: int, end: int) -> str:
        """The text as typed between two positions, to quote back in an error."""
        return self.raw[start:end].strip()

    def ends_at(self, pos: int) -> bool:
        """Whether a time expression may end at `pos`: not inside a word or number (`14:30x`)."""
        # Chinese needs no space, so a non-ASCII character on either side always ends it
        if pos >= len(self.norm) or not self.norm[pos - 1].isascii() or not self.norm[pos].isascii():
            return True
        char, following = self.norm[pos], self.norm[pos + 1 : pos + 2]
        return not (char.isalnum() or char == ":" or (char in "-/." and following.isdigit()))


Found = tuple[Rule, int]
"""A rule and the position where its time expression ends."""


def _cant_read(value: str) -> UserError:
    """The catch-all error, with examples of every form."""
    return UserError(CANT_READ, value=value)


def _period_hour(period: str, hour: int) -> int | None:
    """The 24-hour hour for 上午/下午-style words, or None when they contradict the number (上午15点)."""
    if period in MORNING:
        return None if hour > 12 else hour % 12 if period == "凌晨" else hour
    if period == "中午":
        return hour if hour in (11, 12) else hour + 12 if 1 <= hour <= 3 else None
    if 1 <= hour <= 11:
        return hour + 12
    if hour == 12:
        return 0 if period == "晚上" else 12
    return hour if hour >= 13 else None


def _clock_value(found: re.Match[str]) -> time | None:
    """The wall time a matched clock means, or None when it is out of range (25:00, 14:61, 13pm)."""
    hour = int(found["h"])
    minute = 30 if found["half"] else int(found["m"] or found["zm"] or 0)
    meridiem = found["ap"] or found["ap2"]
    period = found["period"]
    if meridiem and period:
        return None
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif period:
        shifted = _period_hour(period, hour)
        if shifted is None:
            return None
        hour = shifted
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _clock(src: _Source, pos: int) -> tuple[time, int] | None:
    """A time of day at `pos` (14:30, 2:30pm, 14点30, 下午3点半), or None when there is none."""
    found = src.match(CLOCK, pos)
    if found is None:
        return None
    value = _clock_value(found)
    if value is None:
        raise UserError(BAD_CLOCK, value=src.span(found.start(), found.end()))
    return value, found.end()


def _duration(text: str, pos: int) -> tuple[int, int] | None:
    """Minutes and end of `1h30m`, `90 min`, `2小时`, `半小时` at `pos`, or None when there is none."""
    half = HALF_HOUR.match(text, pos)
    if half:
        return 30, half.end()
    total, end, found = 0, pos, False
    hours = HOURS.match(text, pos)
    if hours:
        total, end, found = int(hours[1]) * 60, hours.end(), True
        spaced = SPACE.match(text, end)
        pos = spaced.end() if spaced else end
    minutes = MINUTES.match(text, pos)
    if minutes:
        total, end, found = total + int(minutes[1]), minutes.end(), True
    return (total, end) if found else None


def _once_in(src: _Source, minutes: int, start: int, end: int, now: datetime) -> Found:
    """A one-off alarm `minutes` from now."""
    value = src.span(start, end)
    if minutes < 1:
        raise UserError(TOO_SOON, value=value)
    if timedelta(minutes=minutes) > MAX_AHEAD:
        raise UserError(TOO_FAR, value=value, days=MAX_AHEAD.days)
    return Once(now + timedelta(minutes=minutes)), end


def _relative_en(src: _Source, now: datetime, zone: ZoneInfo) -> Found | None:
    """`in 45m`, `in 1h30m`, `in 90 min`."""
    keyword = src.match(IN, 0)
    if keyword is None:
        return None
    found = _duration(src.norm, keyword.end())
    if found is None or not src.ends_at(found[1]):
        raise _cant_read(src.word(keyword.end()))
    return _once_in(src, found[0], 0, found[1], now)


def _relative_zh(src: _Source, now: datetime, zone: ZoneInfo) -> Found | None:
    """`45分钟后`, `2小时后`, `1小时30分钟后`, `半小时后`."""
    found = _duration(src.norm, 0)
    after = src.match(AGO, found[1]) if found else None
    if found is None or after is None or not src.ends_at(after.end()):
        return None
    return _once_in(src, found[0], 0, after.end(), now)


def _every_en(src: _Source, now: datetime, zone: ZoneInfo) -> Found | None:
    """`every 30m [from 09:00 to 18:00]`, `every day 10:00`, `every mon,wed,fri 09:30`, `daily`, `hourly`."""
    keyword = src.match(EVERY, 0)
    pos = keyword.end() if keyword else 0
    daily = src.match(EN_DAILY, pos)
    if daily and (keyword or daily[0] == "daily"):
        return _weekly(src, DAY_SPANS[daily[0]], daily.end())
    unit = src.match(EN_UNIT, pos)
    if unit and (keyword or unit[0] == "hourly"):
        return _interval(src, 1 if unit[0] == "minute" else 60, 0, unit.end())
    if keyword is None:
        return None
    days = _day_list(src, pos, _en_day, EN_SEPARATOR, EN_DASH)
    if days is not None:
        return _weekly(src, days[0], days[1])
    found = _duration(src.norm, pos)
    if found is None:
        raise _cant_read(src.word(pos))
    return _interval(src, found[0], 0, found[1])


def _every_zh(src: _Source, now: datetime, zone: ZoneInfo) -> Found | None:
    """`每30分钟 [9点到18点]`, `每小时`, `每天10点`, `每周一三五 9点30`, `工作日9点`, `周末10点`."""
    daily = src.match(ZH_DAILY, 0)
    if daily:
        return _weekly(src, DAY_SPANS[daily[0].lstrip("每个個")], daily.end())
    keyword = src.match(ZH_EVERY, 0)
    if keyword is None:
        return None
    pos = keyword.end()
    span = src.match(ZH_AFTER_EVERY, pos)
    if span:
        return _weekly(src, DAY_SPANS[span[0]], span.end())
    week = src.match(ZH_WEEK, pos)
    if week:
        days = _day_list(src, week.end(), _zh_day, ZH_SEPARATOR, ZH_DASH)
        if days is None:
            raise UserError(BAD_DAYS, value=src.word(0))
        return _weekly(src, days[0], days[1])
    unit = src.match(ZH_UNIT, pos)
    if unit:
        return _interval(src, 60 if unit["hour"] else 1, 0, unit.end())
    found = _duration(src.norm, pos + 1 if src.norm.startswith("隔", pos) else pos)
    if found is None:
        raise _cant_read(src.word(0))
    return _interval(src, found[0], 0, found[1])


def _en_day(src: _Source, pos: int) -> tuple[int, int] | None:
    """An English weekday name (mon, tues, friday, sundays) at `pos`."""
    found = src.match(EN_WORD, pos)
    day = EN_DAYS.get(found[0]) if found else None
    return None if found is None or day is None else (day, found.end())


def _zh_day(src: _Source, pos: int) -> tuple[int, int] | None:
    """A Chinese weekday (一…六, 日/天, with or without 周) at `pos`."""
    found = src.match(ZH_DAY, pos)
    return (ZH_DAY_NUMBERS[found[1]], found.end()) if found else None


def _day_range(first: int, last: int) -> set[int]:
    """The weekdays from `first` to `last`, wrapping past Sunday (fri-mon)."""
    return {(first + step) % 7 for step in range((last - first) % 7 + 1)}


def _day_list(
    src: _Source,
    pos: int,
    item: Callable[[_Source, int], tuple[int, int] | None],
    separator: re.Pattern[str],
    dash: re.Pattern[str],
) -> tuple[frozenset[int], int] | None:
    """Weekdays like `mon,wed,fri`, `mon-fri`, `一三五`, `一、三、五`, `一至五`; None if none at `pos`."""
    first = item(src, pos)
    if first is None:
        return None
    days, (last, pos) = {first[0]}, first
    while True:
        ranged = src.match(dash, pos)
        following = item(src, ranged.end()) if ranged else None
        if following:
            days |= _day_range(last, following[0])
        else:
            joined = src.match(separator, pos)
            following = item(src, joined.end()) if joined else item(src, pos)
            if following is None:
                return frozenset(days), pos
            days.add(following[0])
        last, pos = following


def _weekly(src: _Source, days: frozenset[int], pos: int) -> Found:
    """The time of day that must follow a day list (`every day 10:00`, `每天10点`)."""
    start = src.skip(pos)
    keyword = src.match(AT, start)
    clock = _clock(src, keyword.end() if keyword else start)
    if clock is None or not src.ends_at(clock[1]):
        raise UserError(NO_CLOCK, value=src.span(0, pos))
    return Weekly(clock[0], days), clock[1]


def _interval(src: _Source, minutes: int, start: int, end: int) -> Found:
    """An interval of `minutes`, with the daily window that may follow it."""
    if not 1 <= minutes <= DAY_MINUTES:
        raise UserError(BAD_INTERVAL, value=src.span(start, end))
    window = _window(src, end)
    if window is None:
        if not src.ends_at(end):
            raise _cant_read(src.word(0))
        return Interval(minutes), end
    first, last, end = window
    return Interval(minutes, first, last), end


def _window(src: _Source, pos: int) -> tuple[time, time, int] | None:
    """`from 09:00 to 18:00`, `09:00-18:00`, `9点到18点`, `从9:00到18:00` at `pos`, or None if none."""
    start = src.skip(pos)
    keyword = src.match(WINDOW_WORD, start)
    first = _clock(src, src.skip(keyword.end()) if keyword else start)
    if first is None:
        if keyword:
            raise UserError(NO_WINDOW_END, value=src.span(0, keyword.end()))
        return None
    dash = src.match(WINDOW_DASH, first[1])
    last = _clock(src, dash.end()) if dash else None
    if last is None or not src.ends_at(last[1]):
        raise UserError(NO_WINDOW_END, value=src.span(0, first[1]))
    if last[0] <= first[0]:
        raise UserError(WINDOW_ORDER, value=src.span(start, last[1]))
    return first[0], last[0], last[1]


def _date_part(src: _Source, pos: int, today: date) -> tuple[date | None, int]:
    """The day a one-off alarm names, or None when it names none; a date without a year is its next coming."""
    relative = src.match(RELATIVE_DAY, pos)
    if relative:
        return today + timedelta(days=RELATIVE_DAYS[relative[0]]), relative.end()
    found = src.match(DATE, pos)
    if found is None or not src.ends_at(found.end()):
        return None, pos
    year = found["y"] or found["zy"]
    month, day = (
        int(found["mo"] or found["zmo"] or found["smo"]),
        int(found["d"] or found["zd"] or found["sd"]),
    )
    if year:
        on = _date(int(year), month, day)
    else:
        on = _date(today.year, month, day)
        if on is None or on < today:
            on = _date(today.year + 1, month, day)
    if on is None:
        raise UserError(BAD_DATE, value=src.span(found.start(), found.end()))
    return on, found.end()


def _date(year: int, month: int, day: int) -> date | None:
    """The calendar date, or None when it does not exist (02-30)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _once_at(src: _Source, now: datetime, zone: ZoneInfo) -> Found | None:
    """`at 14:30`, `at 2026-12-01 14:30`, `at 12-01 14:30`, `tomorrow 9am`, `14点30`, `明天9点`."""
    keyword = src.match(AT, 0)
    today = now.astimezone(zone).date()
    day, pos = _date_part(src, keyword.end() if keyword else 0, today)
    after_date = src.match(AT, src.skip(pos)) if day else None
    clock = _clock(src, after_date.end() if after_date else src.skip(pos) if day else pos)
    if clock is None or not src.ends_at(clock[1]):
        if keyword or day:
            raise _cant_read(src.word(keyword.end() if keyword else 0))
        return None
    value = src.span(keyword.end() if keyword else 0, clock[1])
    days = [today, today + timedelta(days=1)] if day is None else [day]
    if days[0] < today:
        raise UserError(PAST, value=value)
    if days[0] > today + MAX_AHEAD:
        raise UserError(TOO_FAR, value=value, days=MAX_AHEAD.days)
    instant = next((i for d in days if (i := _shifted(datetime.combine(d, clock[0]), zone)) > now), None)
    if instant is None:
        raise UserError(PAST, value=value)
    if instant - now > MAX_AHEAD:
        raise UserError(TOO_FAR, value=value, days=MAX_AHEAD.days)
    return Once(instant), clock[1]


FORMS: tuple[Callable[[_Source, datetime, ZoneInfo], Found | None], ...] = (
    _relative_en,
    _every_en,
    _every_zh,
    _relative_zh,
    _once_at,
)


def _split_lead(words: list[str]) -> tuple[list[str], list[str]]:
    """Take the `lead=5m` / `提前=5分钟` options out of the words, wherever they are."""
    plain: list[str] = []
    leads: list[str] = []
    for word in words:
        found = LEAD.fullmatch(word.translate(FOLD))
        if found and found["value"] is not None:
            leads.append(word[found.start("value") :])
        elif found and _lead_minutes(found["bare"]) is not None:
            leads.append(word[found.start("bare") :])
        else:
            plain.append(word)
    return plain, leads


def _lead_minutes(value: str) -> int | None:
    """Minutes of a heads-up like `5m`, `1h`, `5分钟`, `半小时` or a bare `5`, or None when unreadable."""
    folded = value.translate(FOLD).strip()
    if folded.isascii() and folded.isdigit() and len(folded) <= 5:
        return int(folded)
    found = _duration(folded, 0)
    return found[0] if found and found[1] == len(folded) else None


def _lead(values: list[str], rule: Rule, now: datetime) -> timedelta | None:
    """The heads-up: at least a minute, shorter than the gap between alarms, not before now for a one-off."""
    if not values:
        return None
    if len(values) > 1:
        raise UserError(LEAD_TWICE)
    value = values[0]
    minutes = _lead_minutes(value)
    if minutes is None:
        raise UserError(BAD_LEAD, value=value)
    if minutes < 1:
        raise UserError(LEAD_SHORT, value=value)
    if isinstance(rule, Once):
        ahead = int((rule.at - now) / timedelta(minutes=1))
        if timedelta(minutes=minutes) >= rule.at - now:
            raise UserError(LEAD_PAST, value=value, limit=ahead)
    elif minutes >= (gap := _repeat_gap(rule)):
        raise UserError(LEAD_LONG, value=value, limit=gap)
    return timedelta(minutes=minutes)


def _repeat_gap(rule: Interval | Weekly) -> int:
    """The shortest time between two alarms of a repeating rule, in minutes."""
    if isinstance(rule, Interval):
        return rule.minutes
    days = sorted(rule.days)
    return min((b - a) % 7 or 7 for a, b in zip(days, [*days[1:], days[0]], strict=True)) * DAY_MINUTES


def _first_form(src: _Source, now: datetime, zone: ZoneInfo) -> Found:
    """The rule the typed words start with, in whichever form reads them."""
    for form in FORMS:
        found = form(src, now, zone)
        if found is not None:
            return found
    raise _cant_read(src.word(0))


def parse_rule(args: str, now: datetime, zone: ZoneInfo) -> Rule:
    """Read a bare rule with nothing after it (a digest's time); a time of day alone means every day."""
    raw = " ".join(args.split())
    src = _Source(raw, raw.translate(FOLD))
    keyword = src.match(AT, 0)
    clock = _clock(src, keyword.end() if keyword else 0) if raw else None
    if clock is not None and clock[1] == len(raw):
        return Weekly(clock[0], ALL_DAYS)
    rule, end = _first_form(src, _utc(now), zone)
    if raw[end:].strip():
        raise _cant_read(raw[end:].strip())
    return rule


def parse_schedule(args: str, now: datetime, zone: ZoneInfo) -> Parsed:
    """Read the words after `/shelf` (when, then what) so a supervisor can set alarms in either language."""
    now = _utc(now)
    words, leads = _split_lead(clean(args).split())
    raw = " ".join(words)
    if not raw:
        raise UserError(EMPTY)
    src = _Source(raw, raw.translate(FOLD))
    rule, end = _first_form(src, now, zone)
    text = raw[end:].lstrip(TEXT_PUNCTUATION).strip()
    if not text:
        raise UserError(NO_TEXT, value=src.span(0, end))
    if len(text) > MAX_TEXT:
        raise UserError(TEXT_LONG, length=len(text), limit=MAX_TEXT)
    return Parsed(rule, text, _lead(leads, rule, now))


# ---------------------------------------------------------------------------------------------- fire times


def _utc(moment: datetime) -> datetime:
    """An aware instant in UTC; a naive one is a programming error, not something to guess about."""
    if moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    """The zone's UTC offset at an instant."""
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _shifted(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant of a naive wall time: the first when ambiguous, shifted forward by the gap when skipped."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _existing(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The first instant of a naive wall time, or None when DST skips it."""
    instant = _shifted(wall, zone)
    return instant if instant.astimezone(zone).replace(tzinfo=None) == wall else None


def _next_weekly(rule: Weekly, after: datetime, zone: ZoneInfo) -> datetime | None:
    """The first weekly fire after `after`: one per chosen local day, DST gaps shifted forward."""
    today = after.astimezone(zone).date()
    candidates = (
        _shifted(datetime.combine(today + timedelta(days=i), rule.at), zone)
        for i in range(-1, 9)
        if (today + timedelta(days=i)).weekday() in rule.days
    )
    return min((c for c in candidates if c > after), default=None)


def _next_windowed(
    rule: Interval, after: datetime, zone: ZoneInfo, start: time, end: time
) -> datetime | None:
    """The first wall-clock slot start + k*minutes (≤ end) after `after`, skipping slots DST removes."""
    step = timedelta(minutes=rule.minutes)
    count = (_minute_of_day(end) - _minute_of_day(start)) // rule.minutes + 1
    local = after.astimezone(zone)
    wall = local.replace(tzinfo=None)
    found: list[datetime] = []
    for i in (-1, 0, 1, 2):
        base = datetime.combine(local.date() + timedelta(days=i), start)
        guess = 0 if i > 0 else count - 1 if i < 0 else -((base - wall) // step)
        slot = _first_slot_after(base, step, count, guess, after, zone)
        if slot is not None:
            found.append(slot)
    return min(found, default=None)


def _minute_of_day(value: time) -> int:
    """Minutes since midnight of a wall time."""
    return value.hour * 60 + value.minute


def _first_slot_after(
    base: datetime, step: timedelta, count: int, guess: int, after: datetime, zone: ZoneInfo
) -> datetime | None:
    """The earliest existing slot `base + k*step` (0 ≤ k < count) after `after`, searched from a guessed k."""
    # existing slots' first instants rise with k: walk forward to the first one after `after`, then back
    # while an offset change makes earlier slots later than `after` too
    k = min(max(guess, 0), count - 1)
    found: datetime | None = None
    while k < count and found is None:
        slot = _existing(base + k * step, zone)
        if slot is not None and slot > after:
            found = slot
        k += 1
    if found is None:
        return None
    for j in range(k - 2, -1, -1):
        earlier = _existing(base + j * step, zone)
        if earlier is None:
            continue
        if earlier <= after:
            break
        found = earlier
    return found


def _next_wall_slot(wall: datetime, step: timedelta, inclusive: bool) -> datetime:
    """The next naive wall time midnight + k*step after `wall` (or at it), restarting at the next midnight."""
    midnight = datetime.combine(wall.date(), time())
    since = wall - midnight
    k = -(-since // step) if inclusive else since // step + 1
    return min(midnight + k * step, midnight + timedelta(days=1))


def _offset_change(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The first instant in (start, end] whose UTC offset differs from start's, or None if it stays."""
    before = _offset(start, zone)
    if _offset(end, zone) == before:
        return None
    low, high = start, end
    while high - low > SECOND:
        middle = low + (high - low) / 2
        low, high = (middle, high) if _offset(middle, zone) == before else (low, middle)
    whole = high.replace(microsecond=0)  # zones change offset on whole seconds
    return whole if whole > start and _offset(whole, zone) != before else high


def _next_aligned(minutes: int, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant after `after` reading midnight + k*minutes locally, in the offset then in force."""
    step = timedelta(minutes=minutes)
    moment, inclusive = after, False
    candidate = after
    for _ in range(MAX_HOPS):
        local = moment.astimezone(zone)
        slot = _next_wall_slot(local.replace(tzinfo=None), step, inclusive)
        candidate = (slot - _offset(moment, zone)).replace(tzinfo=UTC)
        change = _offset_change(moment, candidate, zone)
        if change is None:
            return candidate
        moment, inclusive = change, True  # the new offset's alignment applies from the change on
    return candidate


def next_after(rule: Rule, after: datetime, zone: ZoneInfo) -> datetime | None:
    """The first fire strictly after `after` (aware UTC), so a scheduler can chain alarms without repeats."""
    after = _utc(after)
    if isinstance(rule, Once):
        return rule.at if rule.at > after else None
    if isinstance(rule, Weekly):
        return _next_weekly(rule, after, zone)
    if rule.start is None or rule.end is None:
        return _next_aligned(rule.minutes, after, zone)
    return _next_windowed(rule, after, zone, rule.start, rule.end)


def occurrences(rule: Rule, start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """All fires in (start, end], chained through next_after so both always agree."""
    found: list[datetime] = []
    moment = _utc(start)
    end = _utc(end)
    while (following := next_after(rule, moment, zone)) is not None and following <= end:
        found.append(following)
        moment = following
    return found


# -------------------------------------------------------------------------------------- storage and display


def _hhmm(value: time) -> str:
    """A wall time as HH:MM."""
    return value.strftime("%H:%M")


def to_json(rule: Rule) -> dict[str, object]:
    """A rule as plain JSON, so alarms survive a restart."""
    if isinstance(rule, Once):
        return {"kind": "once", "at": rule.at.isoformat()}
    if isinstance(rule, Interval):
        start = None if rule.start is None else _hhmm(rule.start)
        end = None if rule.end is None else _hhmm(rule.end)
        return {"kind": "interval", "minutes": rule.minutes, "start": start, "end": end}
    return {"kind": "weekly", "at": _hhmm(rule.at), "days": sorted(rule.days)}


def _field(data: dict[str, object], key: str, kind: type[object]) -> object:
    """One field of stored JSON, checked for its type so bad data fails loudly on load."""
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"schedule field {key!r} should be {kind.__name__}, not {value!r}")
    return value


def _wall_field(data: dict[str, object], key: str) -> time | None:
    """An optional HH:MM wall time of stored JSON."""
    if data.get(key) is None:
        return None
    return time.fromisoformat(str(_field(data, key, str)))


def from_json(data: dict[str, object]) -> Rule:
    """A rule back from to_json's output; anything else raises ValueError rather than scheduling garbage."""
    kind = data.get("kind")
    if kind == "once":
        return Once(datetime.fromisoformat(str(_field(data, "at", str))))
    if kind == "interval":
        minutes = _field(data, "minutes", int)
        assert isinstance(minutes, int)
        return Interval(minutes, _wall_field(data, "start"), _wall_field(data, "end"))
    if kind == "weekly":
        days = _field(data, "days", list)
        assert isinstance(days, list)
        if not all(isinstance(day, int) and not isinstance(day, bool) for day in days):
            raise ValueError(f"schedule days should be weekday numbers, not {days!r}")
        at = _wall_field(data, "at")
        if at is None:
            raise ValueError("a weekly schedule needs its time")
        return Weekly(at, frozenset(days))
    raise ValueError(f"unknown schedule kind {kind!r}")


def describe(rule: Rule, t: Callable[..., str], zone: ZoneInfo) -> str:
    """The rule in the reader's language, so people can check what they set."""
    if isinstance(rule, Once):
        return t(N_("once at {when}"), when=rule.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
    if isinstance(rule, Interval):
        return _describe_interval(rule, t)
    at = _hhmm(rule.at)
    if rule.days == ALL_DAYS:
        return t(N_("every day at {time}"), time=at)
    if rule.days == WEEKDAYS:
        return t(N_("every weekday at {time}"), time=at)
    if rule.days == WEEKEND:
        return t(N_("every weekend at {time}"), time=at)
    days = t(N_(", ")).join(t(DAY_NAMES[day]) for day in sorted(rule.days))
    return t(N_("every {days} at {time}"), days=days, time=at)


def _describe_interval(rule: Interval, t: Callable[..., str]) -> str:
    """`every 30 min from 09:00 to 18:00`, `every 2 h`."""
    hours, rest = divmod(rule.minutes, 60)
    if rule.start is None or rule.end is None:
        return t(N_("every {n} h"), n=hours) if hours and not rest else t(N_("every {n} min"), n=rule.minutes)
    window = {"start": _hhmm(rule.start), "end": _hhmm(rule.end)}
    if hours and not rest:
        return t(N_("every {n} h from {start} to {end}"), n=hours, **window)
    return t(N_("every {n} min from {start} to {end}"), n=rule.minutes, **window)
