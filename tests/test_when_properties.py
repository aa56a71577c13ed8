"""Promises the grammar keeps for any input, checked with hypothesis.

- Whatever it accepts fires in the future, in order, and what it leaves as the alarm text holds no time
  word unless the reading asks to be confirmed.
- Whatever is typed, every reader answers or raises the person-facing UserError, nothing else.
- Every rule round-trips through JSON, and fires on exactly the local days its rule chooses.
"""

from __future__ import annotations

import functools
import itertools
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.errors import UserError
from bot.services.when import (
    LAST,
    Days,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Recurring,
    Rule,
    ShopCalendar,
    Weekdays,
    WorkingDays,
    from_json,
    next_fires,
    occurrences,
    read_clock,
    read_day,
    read_days,
    read_duration,
    read_hours,
    read_moment,
    read_month,
    read_month_day,
    read_period,
    read_range,
    read_rule,
    read_schedule,
    read_span,
    time_words_in,
    to_json,
)
from bot.services.when.fires import chosen, shifted
from bot.services.when.schedule import MAX_AHEAD, MAX_TEXT
from tests.test_when_corpus import GROUPS

PROPERTY = settings(deadline=None, max_examples=150)
ZONES = [
    ZoneInfo(name) for name in ("Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe")
]
TOKENS = [
    *" ,:-~/、，：.",
    *("at", "in", "every", "from", "to", "and", "tomorrow", "tonight", "daily", "hourly", "day", "weekday"),
    *("mon", "fri", "sundays", "hour", "half", "m", "h", "min", "am", "pm", "noon", "next", "other", "week"),
    *("the", "1st", "of", "month", "last", "lead=", "lead=5m", "x", "上架", "换链接"),
    *(
        "每",
        "隔",
        "天",
        "周",
        "星期",
        "礼拜",
        "一",
        "两",
        "三",
        "五",
        "七",
        "十",
        "二十",
        "日",
        "至",
        "到",
        "从",
    ),
    *(
        "点",
        "半",
        "刻",
        "分",
        "分钟",
        "小时",
        "个",
        "后",
        "明天",
        "今晚",
        "明早",
        "后天",
        "大后天",
        "上午",
        "下午",
    ),
    *(
        "晚上",
        "中午",
        "凌晨",
        "工作日",
        "周末",
        "提前=",
        "提前5分钟",
        "年",
        "月",
        "号",
        "最后一天",
        "下",
        "这",
    ),
    *(
        "14:30",
        "9",
        "0",
        "30",
        "59",
        "60",
        "24",
        "25",
        "99999",
        "2026-12-01",
        "12-01",
        "2026",
        "02-29",
        "13-01",
    ),
    *("１４：３０", "\u3000", "\n", "0001-01-01", "9999-12-31", "🙂", "點", "週", "後"),
]
PHRASES = [phrase for group in GROUPS for phrase in group.phrases]
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
TEXTS = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(TOKENS), max_size=10).map("".join))
SPACED = st.lists(st.sampled_from(TOKENS), max_size=8).map(" ".join)


def check(reading_text: str, now: datetime, zone: ZoneInfo) -> None:
    """Read a schedule and check the promises of whatever comes back."""
    try:
        reading = read_schedule(reading_text, now, zone)
    except UserError as error:
        assert error.message.format(**error.params)
        return
    fires = next_fires(reading.rule, now, zone, count=3)
    assert fires and all(fire > now for fire in fires)
    assert all(a < b for a, b in itertools.pairwise(fires))
    if isinstance(reading.rule, Once):
        assert reading.rule.at - now <= MAX_AHEAD
    assert 1 <= len(reading.text) <= MAX_TEXT and reading.text == reading.text.strip()
    assert reading.lead is None or reading.lead >= timedelta(minutes=1)
    if not reading.needs_confirmation:
        assert time_words_in(reading.text) == []
    for alternative in reading.alternatives:
        assert next_fires(alternative, now, zone, count=1)


@PROPERTY
@given(args=TEXTS, now=INSTANTS, zone=st.sampled_from(ZONES))
def test_any_text_is_a_sound_reading_or_a_user_error(args: str, now: datetime, zone: ZoneInfo) -> None:
    check(args, now, zone)


@PROPERTY
@given(phrase=st.sampled_from(PHRASES), rest=SPACED, now=INSTANTS, zone=st.sampled_from(ZONES))
def test_a_known_phrase_with_any_text_after_it(phrase: str, rest: str, now: datetime, zone: ZoneInfo) -> None:
    check(f"{phrase} {rest} x", now, zone)


@PROPERTY
@given(text=TEXTS, now=INSTANTS, zone=st.sampled_from(ZONES))
def test_every_reader_raises_only_user_errors(text: str, now: datetime, zone: ZoneInfo) -> None:
    today = now.astimezone(zone).date()
    readers = [
        lambda: read_rule(text, now, zone),
        lambda: read_moment(text, now, zone),
        lambda: read_day(text, today),
        lambda: read_days(text, today),
        lambda: read_range(text, today),
        lambda: read_month(text, today),
        lambda: read_period(text, now, zone),
        lambda: read_hours(text),
        lambda: read_clock(text),
        lambda: read_duration(text),
        lambda: read_span(text),
        lambda: read_month_day(text),
    ]
    for reader in readers:
        try:
            reader()
        except UserError as error:
            assert error.message.format(**error.params)
    assert all(isinstance(word, str) for word in time_words_in(text))


WALL_TIMES = st.builds(time, st.integers(0, 23), st.integers(0, 59))
WEEKDAY_SETS = st.frozensets(st.integers(0, 6), min_size=1)
MONDAYS = st.dates(date(2020, 1, 6), date(2030, 12, 30)).map(lambda day: day - timedelta(days=day.weekday()))
DAYS = st.one_of(
    st.builds(Weekdays, WEEKDAY_SETS),
    st.just(WorkingDays()),
    st.builds(EveryWeeks, st.integers(2, 6), WEEKDAY_SETS, MONDAYS),
    st.builds(MonthDays, st.one_of(st.integers(1, 31), st.just(LAST))),
)
RULES: st.SearchStrategy[Rule] = st.one_of(
    st.builds(Once, INSTANTS),
    st.builds(Interval, st.integers(1, 1440), on=DAYS),
    st.builds(lambda at, on: Recurring(at, on), WALL_TIMES, DAYS),
)


@PROPERTY
@given(rule=RULES)
def test_json_round_trips_exactly(rule: Rule) -> None:
    stored = json.loads(json.dumps(to_json(rule)))
    assert from_json(stored) == rule
    assert to_json(from_json(stored)) == stored


@PROPERTY
@given(
    at=WALL_TIMES,
    on=DAYS,
    start=INSTANTS,
    zone=st.sampled_from(ZONES),
    off=st.frozensets(st.dates(date(2020, 1, 1), date(2035, 12, 31)), max_size=3),
)
def test_a_recurring_time_fires_on_every_chosen_day_and_no_other(
    at: time, on: Days, start: datetime, zone: ZoneInfo, off: frozenset[date]
) -> None:
    calendar = ShopCalendar(extra_off=off)
    rule = Recurring(at, on)
    end = start + timedelta(days=70)
    first = start.astimezone(zone).date() - timedelta(days=1)
    wanted = [
        instant
        for offset in range(73)
        if chosen(rule.on, day := first + timedelta(days=offset), calendar)
        and start < (instant := shifted(datetime.combine(day, at), zone)) <= end
    ]
    assert occurrences(rule, start, end, zone, calendar) == wanted


def offset(wall: datetime, zone: ZoneInfo, fold: int) -> timedelta:
    """The UTC offset a naive wall time reads with a fold."""
    found = wall.replace(tzinfo=zone, fold=fold).utcoffset()
    assert found is not None
    return found


def interval_by_hand(rule: Interval, start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """An interval's fires in (start, end] from every wall slot of every local day, read by the DST policy:
    a slot DST skips never fires; a repeated one fires once in a window, at both readings all day long."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    found: set[datetime] = set()
    for day in (first + timedelta(days=n) for n in range((end.astimezone(zone).date() - first).days + 2)):
        base = datetime.combine(day, rule.start or time())
        last = datetime.combine(day, rule.end or time(23, 59))
        count = ((last - base) // timedelta(minutes=1)) // rule.minutes + 1
        walls = [base + k * timedelta(minutes=rule.minutes) for k in range(count)]
        for wall in walls:
            before, after = offset(wall, zone, 0), offset(wall, zone, 1)
            if before < after:
                continue
            readings = {before} if rule.start is not None else {before, after}
            found |= {(wall - reading).replace(tzinfo=UTC) for reading in readings}
    return sorted(moment for moment in found if start < moment <= end)


DST_ZONES = [zone for zone in ZONES if zone.key != "Asia/Shanghai"]


@functools.cache
def changes(zone: ZoneInfo) -> list[datetime]:
    """The hours of 2026 at which a zone changes its offset."""
    days = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n) for n in range(366)]
    found = []
    for day in (
        a
        for a, b in itertools.pairwise(days)
        if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset()
    ):
        hours = [day + timedelta(hours=n) for n in range(25)]
        found += [
            b
            for a, b in itertools.pairwise(hours)
            if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset()
        ]
    return found


@st.composite
def near_a_change(draw: st.DrawFn) -> tuple[ZoneInfo, datetime]:
    """A DST zone and an instant up to a day before one of its offset changes."""
    zone = draw(st.sampled_from(DST_ZONES))
    return zone, draw(st.sampled_from(changes(zone))) - draw(st.timedeltas(timedelta(0), timedelta(days=1)))


@settings(deadline=None, max_examples=100)
@given(
    minutes=st.one_of(st.sampled_from([7, 15, 30, 45, 60, 90]), st.integers(10, 1440)),
    window=st.sampled_from([None, (time(0), time(4)), (time(1, 15), time(3, 30)), (time(1), time(23))]),
    where=near_a_change(),
)
def test_intervals_fire_on_every_wall_slot_across_dst(
    minutes: int, window: tuple[time, time] | None, where: tuple[ZoneInfo, datetime]
) -> None:
    zone, start = where
    rule = Interval(minutes, *(window or (None, None)))
    fires = occurrences(rule, start, start + timedelta(days=2), zone)
    assert fires == interval_by_hand(rule, start, start + timedelta(days=2), zone)
