"""The `/shelf` schedule as the grammar reads it: English and Chinese, fire times across DST, storage.

These were the old alarm parser's tests (bot/services/scheduling/timespec.py, replaced by the one grammar in
bot/services/when); they run against the grammar now, so nothing the alarms promised is lost. Pure functions,
no database. The property tests check next_after against a brute-force reading of the DST policy (every wall
slot of every local day), in zones with 1-hour, 30-minute and midnight shifts, so a missing or doubled alarm
on a change-over day shows up as a counterexample (that any text reads soundly or fails as a UserError is
tests/test_when_properties.py's).
"""

from __future__ import annotations

import functools
import itertools
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from bot.services.errors import UserError
from bot.services.when import (
    MON_TO_FRI,
    WEEKEND,
    Interval,
    Once,
    Reading,
    Recurring,
    Rule,
    Weekdays,
    WorkingDays,
    describe,
    from_json,
    next_after,
    occurrences,
    read_schedule,
    to_json,
)
from bot.services.when import messages as ts

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Shanghai."""
PROPERTY = settings(deadline=None, max_examples=300)
ZONES = [
    ZoneInfo(name)
    for name in (
        "Asia/Shanghai",
        "America/New_York",
        "Europe/Berlin",
        "Australia/Lord_Howe",  # 30-minute DST
        "Pacific/Chatham",  # +12:45 / +13:45, shifts at 02:45
        "America/Havana",  # shifts at midnight
        "Asia/Kolkata",
        "UTC",
    )
]


def at(year: int, month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    """An instant given as a wall time in a zone (the first one if ambiguous), in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def parse(args: str, now: datetime = NOW, zone: ZoneInfo = SHANGHAI) -> Reading:
    """Read in the shop's zone at the fixed `now`."""
    return read_schedule(args, now, zone)


def Parsed(rule: Rule, text: str, lead: timedelta | None) -> tuple[Rule, str, timedelta | None]:  # noqa: N802
    """What a reading says, to compare: the rule, the alarm text, the heads-up."""
    return rule, text, lead


def said(reading: Reading) -> tuple[Rule, str, timedelta | None]:
    """A reading's rule, text and heads-up."""
    return reading.rule, reading.text, reading.lead


def Weekly(at: time, days: frozenset[int]) -> Recurring:  # noqa: N802
    """At one wall time on some weekdays, as the old parser named it."""
    return Recurring(at, Weekdays(days))


def refused(args: str, now: datetime = NOW, zone: ZoneInfo = SHANGHAI) -> UserError:
    """The UserError read_schedule raises for `args`; fails if it accepts them."""
    with pytest.raises(UserError) as caught:
        read_schedule(args, now, zone)
    return caught.value


def walls(instants: list[datetime], zone: ZoneInfo) -> list[str]:
    """Instants as local `HH:MM±offset`, to compare with what a clock on the wall shows."""
    return [i.astimezone(zone).strftime("%H:%M%z") for i in instants]


def plain(message: str, **params: object) -> str:
    """The trivial translator: fill the placeholders of the English msgid."""
    return message.format(**params)


# ----------------------------------------------------------------------------------- one-off alarms


@pytest.mark.parametrize(
    ("typed", "when", "text"),
    [
        ("at 14:30 put dresses on sale", at(2026, 11, 23, 14, 30), "put dresses on sale"),
        ("at 09:00 x", at(2026, 11, 24, 9), "x"),  # already past today: tomorrow
        ("at 10:00 x", at(2026, 11, 24, 10), "x"),  # exactly now is not ahead
        ("at 10:01 x", at(2026, 11, 23, 10, 1), "x"),
        ("at 2026-12-01 14:30 x", at(2026, 12, 1, 14, 30), "x"),
        ("at 2026/12/01 14:30 x", at(2026, 12, 1, 14, 30), "x"),
        ("at 12-01 14:30 x", at(2026, 12, 1, 14, 30), "x"),
        ("at 01-05 10:00 x", at(2027, 1, 5, 10), "x"),  # a date without a year is its next coming
        ("at 2:30pm x", at(2026, 11, 23, 14, 30), "x"),
        ("at 12am x", at(2026, 11, 24, 0), "x"),
        ("tomorrow 9am x", at(2026, 11, 24, 9), "x"),
        ("at tomorrow 21:00 x", at(2026, 11, 24, 21), "x"),
        ("tomorrow at 9:15 x", at(2026, 11, 24, 9, 15), "x"),
        ("AT 14:30 Check Stock", at(2026, 11, 23, 14, 30), "Check Stock"),
        ("in 45m x", NOW + timedelta(minutes=45), "x"),
        ("in 2h x", NOW + timedelta(hours=2), "x"),
        ("in 1h30m x", NOW + timedelta(minutes=90), "x"),
        ("in 90 min x", NOW + timedelta(minutes=90), "x"),
        ("in 1 hour 30 minutes x", NOW + timedelta(minutes=90), "x"),
        ("in half an hour x", NOW + timedelta(minutes=30), "x"),
        ("at noon x", at(2026, 11, 23, 12), "x"),
    ],
)
def test_one_off_in_english(typed: str, when: datetime, text: str) -> None:
    assert said(parse(typed)) == Parsed(Once(when), text, None)


@pytest.mark.parametrize(
    ("typed", "when", "text"),
    [
        ("14点30 上架", at(2026, 11, 23, 14, 30), "上架"),
        ("14:30 上架", at(2026, 11, 23, 14, 30), "上架"),
        ("14点 上架", at(2026, 11, 23, 14), "上架"),
        ("14点半 上架", at(2026, 11, 23, 14, 30), "上架"),
        ("14点30分 上架", at(2026, 11, 23, 14, 30), "上架"),
        ("14时30分 上架", at(2026, 11, 23, 14, 30), "上架"),
        ("9点 上架", at(2026, 11, 23, 21), "上架"),  # a bare hour is the next time the clock shows it
        ("明天9点 上架", at(2026, 11, 24, 9), "上架"),
        ("明天 9点 上架", at(2026, 11, 24, 9), "上架"),
        ("后天上午9点半 上架", at(2026, 11, 25, 9, 30), "上架"),
        ("下午3点 上架", at(2026, 11, 23, 15), "上架"),
        ("晚上8点 上架", at(2026, 11, 23, 20), "上架"),
        ("晚上20点 上架", at(2026, 11, 23, 20), "上架"),
        ("中午12点 上架", at(2026, 11, 23, 12), "上架"),
        ("12月1日 14点 上架", at(2026, 12, 1, 14), "上架"),
        ("2026年12月1日14:30 上架", at(2026, 12, 1, 14, 30), "上架"),
        ("45分钟后 上架", NOW + timedelta(minutes=45), "上架"),
        ("2小时后 上架", NOW + timedelta(hours=2), "上架"),
        ("1小时30分钟后 上架", NOW + timedelta(minutes=90), "上架"),
        ("半小时后 上架", NOW + timedelta(minutes=30), "上架"),
        ("45分钟后上架新品", NOW + timedelta(minutes=45), "上架新品"),  # Chinese needs no space
        ("明天下午3点开会", at(2026, 11, 24, 15), "开会"),
        ("14点30，下架冬装", at(2026, 11, 23, 14, 30), "下架冬装"),
        ("１４：３０　上架", at(2026, 11, 23, 14, 30), "上架"),  # full-width digits, colon and space
        ("今天9点 上架", at(2026, 11, 23, 21), "上架"),  # 09:00 has passed today: 21:00, and it asks
    ],
)
def test_one_off_in_chinese(typed: str, when: datetime, text: str) -> None:
    assert said(parse(typed)) == Parsed(Once(when), text, None)


def test_a_one_off_in_a_dst_gap_is_shifted_forward() -> None:
    before = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    found = parse("at 2026-03-08 02:30 x", before, NEW_YORK).rule
    assert isinstance(found, Once)
    assert walls([found.at], NEW_YORK) == ["03:30-0400"]


def test_a_one_off_at_an_ambiguous_time_is_the_first() -> None:
    before = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)
    found = parse("at 2026-11-01 01:30 x", before, NEW_YORK).rule
    assert found == Once(datetime(2026, 11, 1, 5, 30, tzinfo=UTC))  # 01:30 EDT


# --------------------------------------------------------------------------------- repeating alarms


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("every 30m from 09:00 to 18:00 x", Interval(30, time(9), time(18))),
        ("every 30m 09:00-18:00 x", Interval(30, time(9), time(18))),
        ("every 30 minutes between 9:00 and 18:00 x", Interval(30, time(9), time(18))),
        ("every 30m x", Interval(30)),
        ("every 2h from 10:00 to 22:00 x", Interval(120, time(10), time(22))),
        ("every 1h30m x", Interval(90)),
        ("every 90 min x", Interval(90)),
        ("every hour x", Interval(60)),
        ("every half hour x", Interval(30)),
        ("every minute x", Interval(1)),
        ("hourly from 9am to 5pm x", Interval(60, time(9), time(17))),
        ("every 24h x", Interval(1440)),
        ("每30分钟 x", Interval(30)),
        ("每30分钟 9点到18点 x", Interval(30, time(9), time(18))),
        ("每30分钟 从9:00到18:00 x", Interval(30, time(9), time(18))),
        ("每30分钟9点至18点半 x", Interval(30, time(9), time(18, 30))),
        ("每2小时 x", Interval(120)),
        ("每隔45分钟 x", Interval(45)),
        ("每小时 x", Interval(60)),
        ("每个小时 x", Interval(60)),
        ("每半小时 x", Interval(30)),
        ("每1小时30分钟 x", Interval(90)),
    ],
)
def test_intervals(typed: str, rule: Interval) -> None:
    assert said(parse(typed)) == Parsed(rule, "x", None)


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("every day 10:00 x", Weekly(time(10), frozenset(range(7)))),
        ("every day at 10am x", Weekly(time(10), frozenset(range(7)))),
        ("daily 10:00 x", Weekly(time(10), frozenset(range(7)))),
        ("every mon,wed,fri 09:30 x", Weekly(time(9, 30), frozenset({0, 2, 4}))),
        ("every Mon, Wed, Fri 09:30 x", Weekly(time(9, 30), frozenset({0, 2, 4}))),
        ("every monday and thursday 09:30 x", Weekly(time(9, 30), frozenset({0, 3}))),
        ("every mon-fri 9:00 x", Weekly(time(9), MON_TO_FRI)),
        ("every fri-mon 9:00 x", Weekly(time(9), frozenset({4, 5, 6, 0}))),
        ("every weekday 09:00 x", Recurring(time(9), WorkingDays())),  # China's working days, 调休 too
        ("every weekend 10:00 x", Weekly(time(10), WEEKEND)),
        ("every sun 20:00 x", Weekly(time(20), frozenset({6}))),
        ("每天10点 x", Weekly(time(10), frozenset(range(7)))),
        ("每日 10:00 x", Weekly(time(10), frozenset(range(7)))),
        ("每天晚上8点半 x", Weekly(time(20, 30), frozenset(range(7)))),
        ("每周一三五 9点30 x", Weekly(time(9, 30), frozenset({0, 2, 4}))),
        ("每周一、三、五 09:30 x", Weekly(time(9, 30), frozenset({0, 2, 4}))),
        ("每周一至五 9点 x", Weekly(time(9), MON_TO_FRI)),
        ("每周一到周五 9点 x", Weekly(time(9), MON_TO_FRI)),
        ("每周日 20点 x", Weekly(time(20), frozenset({6}))),
        ("每星期六 20点 x", Weekly(time(20), frozenset({5}))),
        ("工作日9点 x", Recurring(time(9), WorkingDays())),
        ("每个工作日 9点 x", Recurring(time(9), WorkingDays())),
        ("周末10点 x", Weekly(time(10), WEEKEND)),
        ("每周末10点 x", Weekly(time(10), WEEKEND)),
    ],
)
def test_weekly(typed: str, rule: Weekly) -> None:
    assert said(parse(typed)) == Parsed(rule, "x", None)


def test_the_alarm_text_is_the_rest_of_the_words() -> None:
    assert parse("every 30m from 09:00 to 18:00   change  the   listings").text == "change the listings"
    assert parse("每天10点：检查差评").text == "检查差评"
    assert parse("at 14:30 提前上架").text == "提前上架"  # 提前 without a number is just a word


# ----------------------------------------------------------------------------------------- heads-up


@pytest.mark.parametrize(
    ("typed", "lead", "text"),
    [
        ("every 30m lead=5m change listings", 5, "change listings"),
        ("lead=5m every 30m change listings", 5, "change listings"),
        ("every 30m change lead=5m listings", 5, "change listings"),
        ("每30分钟 上下架 提前=5分钟", 5, "上下架"),
        ("每30分钟 上下架 提前＝5分钟", 5, "上下架"),
        ("每30分钟 上下架 提前5分钟", 5, "上下架"),
        ("every 2h x lead=1h", 60, "x"),
        ("every 2h x lead=90", 90, "x"),
        ("every day 10:00 x lead=1h30m", 90, "x"),
        ("every sun 10:00 x lead=2880m", 2880, "x"),  # two days before a weekly alarm
        ("in 45m x lead=44m", 44, "x"),
        ("每天10点 x 提前=半小时", 30, "x"),
    ],
)
def test_a_heads_up_anywhere(typed: str, lead: int, text: str) -> None:
    parsed = parse(typed)
    assert (parsed.lead, parsed.text) == (timedelta(minutes=lead), text)


@pytest.mark.parametrize(
    ("typed", "message", "value"),
    [
        ("every 30m x lead=0m", ts.LEAD_SHORT, "0m"),
        ("every 30m x lead=abc", ts.BAD_LEAD, "abc"),
        ("every 30m x lead=", ts.BAD_LEAD, ""),
        ("every 30m x lead=5m lead=6m", ts.LEAD_TWICE, None),
        ("every 30m x lead=30m", ts.LEAD_LONG, "30m"),
        ("每30分钟 x 提前=1小时", ts.LEAD_LONG, "1小时"),
        ("every day 10:00 x lead=24h", ts.LEAD_LONG, "24h"),
        ("every mon,tue 10:00 x lead=25h", ts.LEAD_LONG, "25h"),
    ],
)
def test_a_heads_up_that_cannot_work_is_refused(typed: str, message: str, value: str | None) -> None:
    error = refused(typed)
    assert error.message == message
    assert error.params.get("value") == value


def test_a_heads_up_longer_than_the_gap_names_the_gap() -> None:
    assert refused("every mon,tue 10:00 x lead=25h").params["limit"] == 24 * 60
    assert refused("every 30m x lead=30m").params["limit"] == 30


# ----------------------------------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("typed", "message", "value"),
    [
        ("", ts.EMPTY, None),
        ("   ", ts.EMPTY, None),
        ("lead=5m", ts.EMPTY, None),
        ("tomorow 9:00 x", ts.CANT_READ, "tomorow"),
        ("put dresses on sale", ts.CANT_READ, "put"),
        ("in 45 x", ts.CANT_READ, "45"),
        ("in soon x", ts.CANT_READ, "soon"),
        ("every fortnight x", ts.NO_WEEKDAY, "every fortnight"),
        ("14:30x", ts.CANT_READ, "14:30x"),
        ("at 25:00 x", ts.BAD_CLOCK, "25:00"),
        ("at 14:61 x", ts.BAD_CLOCK, "14:61"),
        ("at 24:00 x", ts.BAD_CLOCK, "24:00"),
        ("at 13pm x", ts.BAD_CLOCK, "13pm"),
        ("25点 x", ts.BAD_CLOCK, "25点"),
        ("14点61 x", ts.BAD_CLOCK, "14点61"),
        ("上午15点 x", ts.BAD_CLOCK, "上午15点"),
        ("every day 25:00 x", ts.BAD_CLOCK, "25:00"),
        ("in 0m x", ts.TOO_SOON, "in 0m"),
        ("in 0h0m x", ts.TOO_SOON, "in 0h0m"),
        ("0分钟后 x", ts.TOO_SOON, "0分钟后"),
        ("in 9000h x", ts.TOO_FAR, "in 9000h"),
        ("at 2028-01-01 10:00 x", ts.TOO_FAR, "2028-01-01 10:00"),
        ("at 2026-11-20 09:00 x", ts.PAST, "2026-11-20 09:00"),
        ("at 2026-11-23 09:59 x", ts.PAST, "2026-11-23 09:59"),
        ("at 0001-01-01 00:00 x", ts.BAD_DATE, "0001-01-01"),
        ("at 11-23 09:00 x", ts.PAST, "11-23 09:00"),  # today's date, earlier time: not next year
        ("at 2026-02-30 10:00 x", ts.BAD_DATE, "2026-02-30"),
        ("at 13-01 10:00 x", ts.BAD_DATE, "13-01"),
        ("2026年13月1日 9点 x", ts.BAD_DATE, "2026年13月1日"),
        ("every 0m x", ts.BAD_INTERVAL, "every 0m"),
        ("every 25h x", ts.BAD_INTERVAL, "every 25h"),
        ("每0分钟 x", ts.BAD_INTERVAL, "每0分钟"),
        ("every 30m from 18:00 to 09:00 x", ts.WINDOW_ORDER, "from 18:00 to 09:00"),
        ("every 30m from 09:00 to 09:00 x", ts.WINDOW_ORDER, "from 09:00 to 09:00"),
        ("每30分钟 18点到9点 x", ts.WINDOW_ORDER, "18点到9点"),
        ("every 30m from 09:00 x", ts.NO_WINDOW_END, "every 30m from 09:00"),
        ("every 30m from the shelf", ts.NO_WINDOW_END, "every 30m from"),
        ("every 30m from 09:00 to 25:00 x", ts.BAD_CLOCK, "25:00"),
        ("every day x", ts.NO_CLOCK, "every day"),
        ("every mon,fri x", ts.NO_CLOCK, "every mon,fri"),
        ("每天 上架", ts.NO_CLOCK, "每天"),
        ("每周 9点 x", ts.BAD_DAYS, "每周"),
        ("at 14:30", ts.NO_TEXT, "at 14:30"),
        ("every day 10:00", ts.NO_TEXT, "every day 10:00"),
        ("每30分钟 9点到18点", ts.NO_TEXT, "每30分钟 9点到18点"),
        ("at 14:30 ，", ts.NO_TEXT, "at 14:30"),
    ],
)
def test_mistakes_name_the_problem(typed: str, message: str, value: str | None) -> None:
    error = refused(typed)
    assert error.message == message
    assert error.params.get("value") == value
    assert message.format(**error.params)  # the message renders with its own parameters


def test_the_alarm_text_has_a_limit() -> None:
    assert parse("in 5m " + "x" * 300).text == "x" * 300
    error = refused("in 5m " + "x" * 301)
    assert (error.message, error.params) == (ts.TEXT_LONG, {"length": 301, "limit": 300})


def test_messages_carry_examples() -> None:
    assert "every 30m from 09:00 to 18:00" in ts.CANT_READ and "每天十点" in ts.CANT_READ
    assert "e.g." in ts.BAD_CLOCK and "e.g." in ts.NO_WINDOW_END and "Examples" in ts.BAD_DAYS


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        read_schedule("in 5m x", datetime(2026, 11, 23, 10), SHANGHAI)
    with pytest.raises(ValueError, match="aware"):
        next_after(Interval(30), datetime(2026, 11, 23, 10), SHANGHAI)


# --------------------------------------------------------------------------------------- fire times


def test_unbounded_interval_is_aligned_to_local_midnight() -> None:
    assert next_after(Interval(30), NOW, SHANGHAI) == at(2026, 11, 23, 10, 30)  # strictly after now
    assert next_after(Interval(30), NOW + timedelta(minutes=7), SHANGHAI) == at(2026, 11, 23, 10, 30)
    assert next_after(Interval(45), NOW, SHANGHAI) == at(2026, 11, 23, 10, 30)  # 45 * 14 = 10:30
    # 7 does not divide a day: the last slot is 23:55 and the count starts again at midnight
    assert next_after(Interval(7), at(2026, 11, 23, 23, 55), SHANGHAI) == at(2026, 11, 24, 0)


def test_windowed_interval_fires_inside_the_window_every_day() -> None:
    rule = Interval(30, time(9), time(18))
    fires = occurrences(rule, at(2026, 11, 23, 0), at(2026, 11, 24, 0), SHANGHAI)
    assert walls(fires, SHANGHAI)[:2] == ["09:00+0800", "09:30+0800"]
    assert walls(fires, SHANGHAI)[-1] == "18:00+0800" and len(fires) == 19
    assert next_after(rule, at(2026, 11, 23, 18), SHANGHAI) == at(2026, 11, 24, 9)
    assert next_after(rule, at(2026, 11, 23, 10, 10), SHANGHAI) == at(2026, 11, 23, 10, 30)
    # a window that is no multiple of the interval stops at the last slot inside it
    assert walls(
        occurrences(Interval(120, time(10), time(21)), NOW, at(2026, 11, 24, 0), SHANGHAI), SHANGHAI
    ) == [
        "12:00+0800",
        "14:00+0800",
        "16:00+0800",
        "18:00+0800",
        "20:00+0800",
    ]


def test_weekly_fires_on_its_days() -> None:
    rule = Weekly(time(9, 30), frozenset({0, 2, 4}))
    fires = occurrences(rule, NOW, NOW + timedelta(days=7), SHANGHAI)
    assert fires == [at(2026, 11, 25, 9, 30), at(2026, 11, 27, 9, 30), at(2026, 11, 30, 9, 30)]
    assert next_after(Weekly(time(10, 1), frozenset(range(7))), NOW, SHANGHAI) == at(2026, 11, 23, 10, 1)


def test_once_fires_once() -> None:
    rule = Once(NOW + timedelta(minutes=5))
    assert next_after(rule, NOW, SHANGHAI) == NOW + timedelta(minutes=5)
    assert next_after(rule, NOW + timedelta(minutes=5), SHANGHAI) is None
    assert occurrences(rule, NOW, NOW + timedelta(days=1), SHANGHAI) == [NOW + timedelta(minutes=5)]


def test_any_aware_instant_in_utc_out() -> None:
    after = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    found = next_after(Interval(30), after, SHANGHAI)
    assert found == at(2026, 11, 23, 10, 30) and found.tzinfo is UTC


# ---------------------------------------------------------------------------------------------- DST

SPRING_FORWARD = [(NEW_YORK, date(2026, 3, 8)), (BERLIN, date(2026, 3, 29))]
FALL_BACK = [(NEW_YORK, date(2026, 11, 1)), (BERLIN, date(2026, 10, 25))]


def day_of(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The span (start, end] of one local calendar day, as UTC instants."""
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start - timedelta(microseconds=1), end - timedelta(microseconds=1)


@pytest.mark.parametrize(("zone", "day"), SPRING_FORWARD)
def test_weekly_in_the_spring_gap_fires_once_shifted_forward(zone: ZoneInfo, day: date) -> None:
    fires = occurrences(Weekly(time(2, 30), frozenset(range(7))), *day_of(zone, day), zone)
    assert [f.astimezone(zone).strftime("%H:%M") for f in fires] == ["03:30"]
    around = occurrences(
        Weekly(time(2, 30), frozenset(range(7))), *day_of(zone, day - timedelta(days=1)), zone
    )
    assert [f.astimezone(zone).strftime("%H:%M") for f in around] == ["02:30"]


@pytest.mark.parametrize(
    ("zone", "day", "wall", "first"),
    [
        (NEW_YORK, date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # 01:30 EDT
        (BERLIN, date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # 02:30 CEST
    ],
)
def test_weekly_at_an_ambiguous_time_fires_once_at_the_first(
    zone: ZoneInfo, day: date, wall: time, first: datetime
) -> None:
    assert occurrences(Weekly(wall, frozenset(range(7))), *day_of(zone, day), zone) == [first]


def test_weekly_in_a_half_hour_gap() -> None:
    fires = occurrences(
        Weekly(time(2, 15), frozenset(range(7))), *day_of(LORD_HOWE, date(2026, 10, 4)), LORD_HOWE
    )
    assert walls(fires, LORD_HOWE) == ["02:45+1100"]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (NEW_YORK, date(2026, 3, 8), ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00"]),
        (BERLIN, date(2026, 3, 29), ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00"]),
        (
            NEW_YORK,
            date(2026, 11, 1),
            ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"],
        ),
        (
            BERLIN,
            date(2026, 10, 25),
            ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"],
        ),
    ],
)
def test_windowed_interval_over_a_shift_has_every_wall_slot_once(
    zone: ZoneInfo, day: date, expected: list[str]
) -> None:
    fires = occurrences(Interval(30, time(0), time(4)), *day_of(zone, day), zone)
    assert [f.astimezone(zone).strftime("%H:%M") for f in fires] == expected
    assert len(set(fires)) == len(fires)


def test_unbounded_interval_keeps_the_pace_through_fall_back() -> None:
    start, _ = day_of(NEW_YORK, date(2026, 11, 1))
    fires = occurrences(Interval(30), start, start + timedelta(hours=4), NEW_YORK)
    assert walls(fires, NEW_YORK) == [
        "00:00-0400",
        "00:30-0400",
        "01:00-0400",
        "01:30-0400",
        "01:00-0500",  # the new offset's :00 and :30
        "01:30-0500",
        "02:00-0500",
        "02:30-0500",
    ]
    assert all(b - a == timedelta(minutes=30) for a, b in itertools.pairwise(fires))


def test_unbounded_interval_skips_the_missing_hour_in_spring() -> None:
    start, _ = day_of(NEW_YORK, date(2026, 3, 8))
    fires = occurrences(Interval(30), start, start + timedelta(hours=4), NEW_YORK)
    assert walls(fires, NEW_YORK) == [
        "00:00-0500",
        "00:30-0500",
        "01:00-0500",
        "01:30-0500",
        "03:00-0400",
        "03:30-0400",
        "04:00-0400",
        "04:30-0400",
    ]


def test_unbounded_interval_after_a_half_hour_shift_uses_the_new_alignment() -> None:
    start, _ = day_of(LORD_HOWE, date(2026, 10, 4))
    fires = occurrences(Interval(60), start, start + timedelta(hours=4), LORD_HOWE)
    assert walls(fires, LORD_HOWE) == ["00:00+1030", "01:00+1030", "03:00+1100", "04:00+1100"]


# ------------------------------------------------------------------------------ storage and display

EXAMPLES: list[Rule] = [
    Once(datetime(2026, 11, 23, 2, 45, 13, 123456, tzinfo=UTC)),
    Interval(30),
    Interval(30, time(9), time(18)),
    Interval(1440),
    Weekly(time(10), frozenset(range(7))),
    Weekly(time(9, 30), frozenset({0, 2, 4})),
]


@pytest.mark.parametrize("rule", EXAMPLES)
def test_json_round_trip(rule: Rule) -> None:
    stored = json.loads(json.dumps(to_json(rule)))
    assert from_json(stored) == rule


def test_json_shape() -> None:
    assert to_json(Interval(30, time(9), time(18))) == {
        "kind": "interval",
        "minutes": 30,
        "start": "09:00",
        "end": "18:00",
    }
    assert to_json(Weekly(time(9, 30), frozenset({4, 0}))) == {
        "kind": "weekly",
        "at": "09:30",
        "days": [0, 4],
    }


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "yearly"},
        {"kind": "once", "at": "2026-11-23T02:45:00"},  # naive
        {"kind": "once", "at": 5},
        {"kind": "interval", "minutes": 0},
        {"kind": "interval", "minutes": True},
        {"kind": "interval", "minutes": "30"},
        {"kind": "interval", "minutes": 30, "start": "09:00"},
        {"kind": "interval", "minutes": 30, "start": "18:00", "end": "09:00"},
        {"kind": "interval", "minutes": 30, "start": "09:00:30", "end": "18:00"},
        {"kind": "weekly", "at": "10:00", "days": []},
        {"kind": "weekly", "at": "10:00", "days": [7]},
        {"kind": "weekly", "at": "10:00", "days": [True]},
        {"kind": "weekly", "at": "25:00", "days": [0]},
        {"kind": "weekly", "days": [0]},
    ],
)
def test_from_json_refuses_bad_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        from_json(data)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (Once(at(2026, 11, 23, 14, 30)), "once on Mon 23 Nov 14:30"),
        (Interval(30), "every 30 minutes"),
        (Interval(60), "every 1 hour"),
        (Interval(90), "every 90 minutes"),
        (Interval(30, time(9), time(18)), "every 30 minutes from 09:00 to 18:00"),
        (Interval(120, time(10), time(22)), "every 2 hours from 10:00 to 22:00"),
        (Weekly(time(10), frozenset(range(7))), "every day at 10:00"),
        (Recurring(time(9), WorkingDays()), "every working day at 09:00"),
        (Weekly(time(10), WEEKEND), "every weekend at 10:00"),
        (Weekly(time(9, 30), frozenset({4, 0, 2})), "every Mon, Wed, Fri at 09:30"),
        (Weekly(time(20), frozenset({6})), "every Sun at 20:00"),
    ],
)
def test_describe(rule: Rule, text: str) -> None:
    assert describe(rule, translator("en"), SHANGHAI) == text


def test_describe_shows_a_one_off_in_the_zone_given() -> None:
    assert describe(Once(at(2026, 11, 23, 14, 30)), translator("en"), NEW_YORK) == "once on Mon 23 Nov 01:30"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Once(datetime(2026, 11, 23, 10)),
        lambda: Interval(0),
        lambda: Interval(1441),
        lambda: Interval(30, time(9)),
        lambda: Interval(30, time(18), time(9)),
        lambda: Weekly(time(10), frozenset()),
        lambda: Weekly(time(10), frozenset({-1})),
        lambda: Weekly(time(10, 0, 30), frozenset(range(7))),
        lambda: Weekly(time(10, tzinfo=UTC), frozenset(range(7))),
    ],
)
def test_rules_refuse_nonsense(build: object) -> None:
    assert callable(build)
    with pytest.raises(ValueError):
        build()


def test_once_is_stored_in_utc() -> None:
    rule = Once(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    assert rule.at.tzinfo is UTC and rule == Once(NOW)


# --------------------------------------------------------------------------------------- properties

INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
WALL_TIMES = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def windows(draw: st.DrawFn) -> tuple[time, time]:
    """A daily window: two different wall times, the earlier first."""
    first, last = sorted(draw(st.lists(WALL_TIMES, min_size=2, max_size=2, unique=True)))
    return first, last


MINUTES = st.one_of(st.sampled_from([5, 7, 15, 30, 45, 60, 90, 120, 1440]), st.integers(1, 1440))
WINDOWS = st.one_of(
    windows(), st.sampled_from([(time(0), time(4)), (time(1, 15), time(3, 30)), (time(0), time(23, 59))])
)
RULES: st.SearchStrategy[Rule] = st.one_of(
    st.builds(Once, INSTANTS),
    st.builds(Interval, MINUTES),
    st.builds(lambda minutes, window: Interval(minutes, *window), MINUTES, WINDOWS),
    st.builds(Weekly, WALL_TIMES, st.frozensets(st.integers(0, 6), min_size=1)),
)
"""Every kind of rule; intervals and windows lean towards small steps and the early hours where DST shifts."""


@functools.cache
def shifts(zone: ZoneInfo) -> list[datetime]:
    """The instants (to the hour) where a zone changes offset in 2020–2035, to aim examples at."""
    found: list[datetime] = []
    day = datetime(2020, 1, 1, tzinfo=UTC)
    while day.year < 2036:
        following = day + timedelta(days=1)
        if offset(day.astimezone(zone)) != offset(following.astimezone(zone)):
            hours = (day + timedelta(hours=h) for h in range(1, 25))
            found.append(next(h for h in hours if offset(h.astimezone(zone)) != offset(day.astimezone(zone))))
        day = following
    return found or [datetime(2026, 1, 1, tzinfo=UTC)]


@st.composite
def zone_and_instant(draw: st.DrawFn) -> tuple[ZoneInfo, datetime]:
    """A zone and an instant, half the time within two days of one of the zone's offset changes."""
    zone = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        near = draw(st.sampled_from(shifts(zone)))
        return zone, near + draw(st.timedeltas(timedelta(days=-2), timedelta(days=2)))
    return zone, draw(INSTANTS)


def expected(rule: Rule, start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """The fires in (start, end] by brute force: every wall slot of every local day, read by the policy."""
    if isinstance(rule, Once):
        return [rule.at] if start < rule.at <= end else []
    first = start.astimezone(zone).date() - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range((end.astimezone(zone).date() - first).days + 2)]
    found: set[datetime] = set()
    for wall in (wall for day in days for wall in slots(rule, day)):
        before, after = (offset(wall.replace(tzinfo=zone, fold=fold)) for fold in (0, 1))
        gap = before < after  # PEP 495: in a gap fold=0 reads the old (smaller) offset, fold=1 the new
        if isinstance(rule, Recurring):
            instants = [wall - before]  # shifted forward out of a gap, the first of two when ambiguous
        elif rule.start is not None:
            instants = (
                [] if gap else [wall - before]
            )  # a missing slot is skipped, an ambiguous one fires once
        else:
            instants = [] if gap else [wall - before, wall - after]  # every instant whose reading is the slot
        found |= {i.replace(tzinfo=UTC) for i in instants if start < i.replace(tzinfo=UTC) <= end}
    return sorted(found)


def offset(local: datetime) -> timedelta:
    """The UTC offset of an aware local time."""
    found = local.utcoffset()
    assert found is not None
    return found


def slots(rule: Interval | Recurring, day: date) -> list[datetime]:
    """The naive wall times a rule names on one local day."""
    assert isinstance(rule.on, Weekdays)
    if day.weekday() not in rule.on.days:
        return []
    if isinstance(rule, Recurring):
        return [datetime.combine(day, rule.at)]
    first, last = rule.start or time(), rule.end or time(23, 59)
    count = (last.hour * 60 + last.minute - first.hour * 60 - first.minute) // rule.minutes + 1
    base = datetime.combine(day, first)
    return [base + k * timedelta(minutes=rule.minutes) for k in range(count)]


@PROPERTY
@given(rule=RULES, where=zone_and_instant())
def test_next_after_is_strictly_later_and_utc(rule: Rule, where: tuple[ZoneInfo, datetime]) -> None:
    zone, after = where
    found = next_after(rule, after, zone)
    assert found is None or (found > after and found.tzinfo is UTC)
    if not isinstance(rule, Once):
        assert found is not None and found - after <= timedelta(days=8)


@PROPERTY
@given(rule=RULES, where=zone_and_instant())
def test_occurrences_match_the_brute_force_reading(rule: Rule, where: tuple[ZoneInfo, datetime]) -> None:
    zone, start = where
    end = start + timedelta(days=3)
    fires = occurrences(rule, start, end, zone)
    assert all(a < b for a, b in itertools.pairwise(fires))  # strictly increasing: no doubles
    assert fires == expected(rule, start, end, zone)  # and none missing


@PROPERTY
@given(
    at_=WALL_TIMES,
    days=st.frozensets(st.integers(0, 6), min_size=1),
    where=zone_and_instant(),
)
def test_weekly_fires_at_most_once_a_local_day(
    at_: time, days: frozenset[int], where: tuple[ZoneInfo, datetime]
) -> None:
    zone, start = where
    fires = occurrences(Weekly(at_, days), start, start + timedelta(days=9), zone)
    local_days = [f.astimezone(zone).date() for f in fires]
    assert len(local_days) == len(set(local_days))
    assert all(day.weekday() in days for day in local_days)


@PROPERTY
@given(rule=RULES, zone=st.sampled_from(ZONES))
def test_json_round_trips_exactly(rule: Rule, zone: ZoneInfo) -> None:
    stored = json.loads(json.dumps(to_json(rule)))
    assert from_json(stored) == rule
    assert to_json(from_json(stored)) == stored
    assert describe(rule, translator("en"), zone).startswith(("once on ", "every "))  # and it always renders
