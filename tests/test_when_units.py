"""The grammar's parts one by one: folding, what needs confirming, mistakes, heads-up, days and periods,
hours, China's working days, storage compatible with the old alarms, and display in both languages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import translator
from bot.services.errors import UserError
from bot.services.when import (
    CHINA,
    LAST,
    MON_TO_FRI,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Recurring,
    Rule,
    ShopCalendar,
    Weekdays,
    WorkingDays,
    clock_readings,
    describe,
    format_day,
    format_moment,
    from_json,
    in_season,
    is_period,
    make_up_days,
    next_fires,
    official_working_day,
    overlaps,
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
    relative_day,
    time_words_in,
    to_json,
)
from bot.services.when import messages as msg
from bot.services.when.text import fold

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Shanghai."""
TODAY = date(2026, 11, 23)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall time as an instant."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def refused(args: str, now: datetime = NOW) -> UserError:
    """The UserError read_schedule raises; fails if it accepts the words."""
    with pytest.raises(UserError) as caught:
        read_schedule(args, now, SHANGHAI)
    return caught.value


# ---------------------------------------------------------------------------------------------- folding


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("十二点半", "12点半"),
        ("两小时后", "2小时后"),
        ("二十分钟后", "20分钟后"),
        ("一百二十分钟", "120分钟"),
        ("零点", "0点"),
        ("十点零五分", "10点05分"),
        ("3点一刻", "3点1刻"),
        ("每周一三五 九点", "每周135 9点"),
        ("周五十点", "周5 10点"),
        ("周五9点", "周5 9点"),
        ("二〇二六年十二月一日", "2026年12月1日"),
        ("後天下午三點", "后天下午3点"),
        ("每隔兩週週三", "每隔2周周3"),
        ("１４：３０　上架", "14:30 上架"),
        ("AT 14:30", "at 14:30"),
        ("快一点", "快一点"),  # a little faster, not one o'clock
        ("一点点", "一点点"),
        ("十分重要", "十分重要"),  # very important
        ("14点十分", "14点10分"),
        ("三五天后", "三五天后"),  # three or five days: left alone, so never read as 35
    ],
)
def test_folding_spells_every_time_word_one_way(typed: str, folded: str) -> None:
    assert fold(typed).norm == folded


def test_folding_remembers_what_was_typed() -> None:
    text = fold("十二点半 上架新品")
    start = text.norm.index("上")
    assert text.typed(0, start) == "十二点半" and text.rest(start) == "上架新品"


# ---------------------------------------------------------------------------------------------- confirming


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("明天再说", ["明天"]),
        ("到18点每30分钟 换链接", ["18点", "每30分钟"]),
        ("一刻 改价", []),
        ("换5号链接", []),
        ("价格便宜一点", []),
        ("十分重要", []),
        ("下午3点开会", ["下午3点"]),
        ("check the stock every day", ["every day"]),
        ("put dresses on sale", []),
    ],
)
def test_time_words_in_leftovers(typed: str, words: list[str]) -> None:
    assert time_words_in(typed) == words


def test_the_three_misreadings_of_the_issue_are_read_right() -> None:
    window = read_schedule("9点到18点每30分钟 换链接", NOW, SHANGHAI)
    assert (window.rule, window.text, window.needs_confirmation) == (
        Interval(30, time(9), time(18)),
        "换链接",
        False,
    )
    quarter = read_schedule("14点一刻 改价", NOW, SHANGHAI)
    assert (quarter.rule, quarter.text) == (Once(at(2026, 11, 23, 14, 15)), "改价")
    bare = read_schedule("3点 改价", NOW, SHANGHAI)  # typed at 10:00: the next 3 on the clock is 15:00
    assert bare.rule == Once(at(2026, 11, 23, 15)) and bare.alternatives == (Once(at(2026, 11, 24, 3)),)
    assert [c.message for c in bare.concerns] == [msg.EITHER_HALF]
    assert bare.concerns[0].params == {"value": "3点", "chosen": "15:00"}


def test_time_words_left_in_the_text_ask_for_confirmation() -> None:
    reading = read_schedule("每天10点 明天再说", NOW, SHANGHAI)
    assert reading.rule == Recurring(time(10)) and reading.text == "明天再说"
    assert reading.time_words == ("明天",) and reading.needs_confirmation
    assert reading.concerns[-1].message == msg.LEFTOVER_TIME
    assert read_schedule("每30分钟 10点 上架", NOW, SHANGHAI).time_words == ("10点",)


def test_a_bare_hour_in_a_repeat_offers_the_other_half_of_the_day() -> None:
    nine = read_schedule("每天9点 x", NOW, SHANGHAI)
    assert nine.alternatives == (Recurring(time(21)),) and not nine.needs_confirmation
    three = read_schedule("每天3点 x", NOW, SHANGHAI)
    assert three.alternatives == (Recurring(time(15)),) and three.needs_confirmation
    assert not read_schedule("每天下午3点 x", NOW, SHANGHAI).alternatives


def test_every_other_week_said_loosely_offers_both() -> None:
    reading = read_schedule("每隔两周周三10点 x", NOW, SHANGHAI)
    monday = date(2026, 11, 23)
    assert reading.rule == Recurring(time(10), EveryWeeks(3, frozenset({2}), monday))
    assert reading.alternatives[0] == Recurring(time(10), EveryWeeks(2, frozenset({2}), monday))
    assert reading.concerns[0].params == {"value": "每隔两周", "literal": 3, "n": 2}


def test_every_other_week_starts_next_week_when_this_weeks_day_has_passed() -> None:
    thursday = at(2026, 11, 26, 12)
    reading = read_schedule("每两周周三10点 x", thursday, SHANGHAI)
    assert reading.rule == Recurring(time(10), EveryWeeks(2, frozenset({2}), date(2026, 11, 30)))
    assert next_fires(reading.rule, thursday, SHANGHAI, count=2) == [
        at(2026, 12, 2, 10),
        at(2026, 12, 16, 10),
    ]


def test_a_weekday_alone_typed_on_that_day_after_its_time_is_next_week() -> None:
    friday = at(2026, 11, 27, 15)
    assert read_schedule("周五14点 x", friday, SHANGHAI).rule == Once(at(2026, 12, 4, 14))
    assert read_schedule("这周五10点 x", at(2026, 11, 26, 15), SHANGHAI).rule == Once(at(2026, 11, 27, 10))


# ---------------------------------------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("typed", "message", "value"),
    [
        ("", msg.EMPTY, None),
        ("lead=5m", msg.EMPTY, None),
        ("tomorow 9:00 x", msg.CANT_READ, "tomorow"),
        ("put dresses on sale", msg.CANT_READ, "put"),
        ("in 45 x", msg.CANT_READ, "45"),
        ("in soon x", msg.CANT_READ, "soon"),
        ("14:30x", msg.CANT_READ, "14:30x"),
        ("三五天后 x", msg.CANT_READ, "三五天后"),
        ("at 25:00 x", msg.BAD_CLOCK, "25:00"),
        ("at 14:61 x", msg.BAD_CLOCK, "14:61"),
        ("at 13pm x", msg.BAD_CLOCK, "13pm"),
        ("25点 x", msg.BAD_CLOCK, "25点"),
        ("上午15点 x", msg.BAD_CLOCK, "上午15点"),
        ("tomorrow morning at 9pm x", msg.BAD_CLOCK, "9pm"),
        ("in 0m x", msg.TOO_SOON, "in 0m"),
        ("0分钟后 x", msg.TOO_SOON, "0分钟后"),
        ("in 9000h x", msg.TOO_FAR, "in 9000h"),
        ("at 2028-01-01 10:00 x", msg.TOO_FAR, "2028-01-01 10:00"),
        ("at 2026-11-20 09:00 x", msg.PAST, "2026-11-20 09:00"),
        ("at 11-23 09:00 x", msg.PAST, "11-23 09:00"),
        ("at 2026-02-30 10:00 x", msg.BAD_DATE, "2026-02-30"),
        ("at 13-01 10:00 x", msg.BAD_DATE, "13-01"),
        ("2026年13月1日 9点 x", msg.BAD_DATE, "2026年13月1日"),
        ("every 0m x", msg.BAD_INTERVAL, "every 0m"),
        ("every 25h x", msg.BAD_INTERVAL, "every 25h"),
        ("每0分钟 x", msg.BAD_INTERVAL, "每0分钟"),
        ("every 30m from 18:00 to 09:00 x", msg.WINDOW_ORDER, "from 18:00 to 09:00"),
        ("每30分钟 18点到9点 x", msg.WINDOW_ORDER, "18点到9点"),
        ("every 30m from 09:00 x", msg.NO_WINDOW_END, "every 30m from 09:00"),
        ("every 30m from the shelf", msg.NO_WINDOW_END, "every 30m from"),
        ("every day x", msg.NO_CLOCK, "every day"),
        ("每天 上架", msg.NO_CLOCK, "每天"),
        ("明天 x", msg.NO_CLOCK, "明天"),
        ("每周 9点 x", msg.BAD_DAYS, "每周"),
        ("at 14:30", msg.NO_TEXT, "at 14:30"),
        ("每30分钟 9点到18点", msg.NO_TEXT, "每30分钟 9点到18点"),
        ("9点到18点 换链接", msg.NEEDS_INTERVAL, "9点到18点"),
        ("2小时后10点 x", msg.MIXED, "2小时后10点"),
        ("每月32号 10点 x", msg.BAD_MONTH_DAY_NUMBER, "每月32号"),
        ("每隔60周周三 10点 x", msg.BAD_WEEKS, "每隔60周"),
        ("每两周 10点 x", msg.NO_WEEKDAY, "每两周"),
    ],
)
def test_mistakes_name_the_problem(typed: str, message: str, value: str | None) -> None:
    error = refused(typed)
    assert error.message == message
    assert error.params.get("value") == value
    assert message.format(**error.params)


def test_the_alarm_text_has_a_limit() -> None:
    assert read_schedule("in 5m " + "x" * 300, NOW, SHANGHAI).text == "x" * 300
    error = refused("in 5m " + "x" * 301)
    assert (error.message, error.params) == (msg.TEXT_LONG, {"length": 301, "limit": 300})


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        read_schedule("in 5m x", datetime(2026, 11, 23, 10), SHANGHAI)


# ---------------------------------------------------------------------------------------------- heads-up


@pytest.mark.parametrize(
    ("typed", "lead", "text"),
    [
        ("every 30m lead=5m change listings", 5, "change listings"),
        ("lead=5m every 30m change listings", 5, "change listings"),
        ("每30分钟 上下架 提前=5分钟", 5, "上下架"),
        ("每30分钟 上下架 提前＝五分钟", 5, "上下架"),
        ("每30分钟 上下架 提前5分钟", 5, "上下架"),
        ("每2小时 x 提前一小时", 60, "x"),
        ("every day 10:00 x lead=1h30m", 90, "x"),
        ("每周日 10点 x lead=2880m", 2880, "x"),
        ("每天10点 x 提前=半小时", 30, "x"),
        ("工作日9点 x lead=23h", 23 * 60, "x"),
    ],
)
def test_a_heads_up_anywhere(typed: str, lead: int, text: str) -> None:
    reading = read_schedule(typed, NOW, SHANGHAI)
    assert (reading.lead, reading.text) == (timedelta(minutes=lead), text)


@pytest.mark.parametrize(
    ("typed", "message", "limit"),
    [
        ("every 30m x lead=0m", msg.LEAD_SHORT, None),
        ("every 30m x lead=abc", msg.BAD_LEAD, None),
        ("every 30m x lead=5m lead=6m", msg.LEAD_TWICE, None),
        ("every 30m x lead=30m", msg.LEAD_LONG, 30),
        ("每两周周三10点 x lead=15d", msg.BAD_LEAD, None),
        ("每月1号10点 x 提前=700小时", msg.LEAD_LONG, 28 * 24 * 60),
    ],
)
def test_a_heads_up_that_cannot_work_is_refused(typed: str, message: str, limit: int | None) -> None:
    error = refused(typed)
    assert error.message == message and error.params.get("limit") == limit


# ---------------------------------------------------------------------------------------------- other readers


def test_a_rule_alone_for_digests() -> None:
    assert read_rule("8:30", NOW, SHANGHAI).rule == Recurring(time(8, 30))
    assert read_rule("每天十八点", NOW, SHANGHAI).rule == Recurring(time(18))
    assert read_rule("工作日 9点到18点 每3小时", NOW, SHANGHAI).rule == Interval(
        180, time(9), time(18), WorkingDays()
    )
    assert read_rule("工作日8点半", NOW, SHANGHAI).rule == Recurring(time(8, 30), WorkingDays())
    assert read_rule("every mon,fri 09:00", NOW, SHANGHAI).rule == Recurring(
        time(9), Weekdays(frozenset({0, 4}))
    )
    with pytest.raises(UserError):
        read_rule("每天10点 x", NOW, SHANGHAI)


def test_a_moment_for_broadcasts() -> None:
    assert read_moment("明天9点", NOW, SHANGHAI).rule == Once(at(2026, 11, 24, 9))
    assert read_moment("两小时后", NOW, SHANGHAI).rule == Once(at(2026, 11, 23, 12))
    with pytest.raises(UserError):
        read_moment("每天10点", NOW, SHANGHAI)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("12-01", date(2026, 12, 1)),
        ("12月1日", date(2026, 12, 1)),
        ("十二月一日", date(2026, 12, 1)),
        ("Dec 1", date(2026, 12, 1)),
        ("01-05", date(2027, 1, 5)),  # the nearest such date
        ("11-01", date(2026, 11, 1)),
        ("明天", date(2026, 11, 24)),
        ("昨天", date(2026, 11, 22)),
        ("前天", date(2026, 11, 21)),
        ("大后天", date(2026, 11, 26)),
        ("周五", date(2026, 11, 27)),
        ("周一", date(2026, 11, 23)),
        ("下周一", date(2026, 11, 30)),
        ("上周五", date(2026, 11, 20)),
        ("next friday", date(2026, 12, 4)),
        ("3天后", date(2026, 11, 26)),
        ("2天前", date(2026, 11, 21)),
        ("3 days ago", date(2026, 11, 20)),
    ],
)
def test_one_day(typed: str, day: date) -> None:
    assert read_day(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["2026-02-30", "13-01", "tomorow", "", "十二月", "下周", "0001-01-01"])
def test_things_that_are_not_one_day(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        read_day(typed, TODAY)
    assert caught.value.message == msg.BAD_DATE


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2034, 12, 31)))
def test_a_date_without_year_is_the_nearest_one(today: date) -> None:
    for offset in (-150, -1, 0, 1, 150):
        wanted = today + timedelta(days=offset)
        if (wanted.month, wanted.day) == (2, 29):
            continue
        assert read_day(f"{wanted.month:02d}-{wanted.day:02d}", today) == wanted
        assert read_day(f"{wanted.month}月{wanted.day}日", today) == wanted


def test_day_lists_and_ranges() -> None:
    assert read_days("12-01..12-03,12-07", TODAY) == [date(2026, 12, d) for d in (1, 2, 3, 7)]
    assert read_days("12月1日至5日", TODAY) == [date(2026, 12, d) for d in range(1, 6)]
    assert read_days("12月30日到1月2日", TODAY)[-1] == date(2027, 1, 2)
    assert read_days("下周", TODAY) == [date(2026, 11, 30) + timedelta(days=d) for d in range(7)]
    assert read_days("周一到周五", TODAY) == [date(2026, 11, 23) + timedelta(days=d) for d in range(5)]
    assert read_days("明天、后天", TODAY) == [date(2026, 11, 24), date(2026, 11, 25)]
    assert read_range("12-10..12-20", TODAY) == (date(2026, 12, 10), date(2026, 12, 20))
    assert read_range("12-10", TODAY) == (date(2026, 12, 10), date(2026, 12, 10))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12-20..12-10", msg.BACKWARDS),
        ("12-10..", msg.BAD_RANGE),
        ("1..2..3", msg.BAD_DATE),
        ("soon..later", msg.BAD_DATE),
        ("2026-01-01..2027-06-01", msg.TOO_MANY_DAYS),
        (",", msg.NO_DATES),
    ],
)
def test_bad_day_lists_say_why(typed: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        read_days(typed, TODAY)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        (None, (2026, 11)),
        ("2026-10", (2026, 10)),
        ("12", (2025, 12)),  # months are looked back on
        ("11月", (2026, 11)),
        ("十一月", (2026, 11)),
        ("2026年3月", (2026, 3)),
        ("上月", (2026, 10)),
        ("上个月", (2026, 10)),
        ("last month", (2026, 10)),
        ("本月", (2026, 11)),
        ("nov", (2026, 11)),
    ],
)
def test_months(typed: str | None, month: tuple[int, int]) -> None:
    assert read_month(typed, TODAY) == month


@pytest.mark.parametrize("typed", ["13", "2026-13", "soon", "1999-12"])
def test_bad_months(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        read_month(typed, TODAY)
    assert caught.value.message == msg.BAD_MONTH


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        (None, "2026-11-23"),
        ("today", "2026-11-23"),
        ("今天", "2026-11-23"),
        ("昨天", "2026-11-22"),
        ("yesterday", "2026-11-22"),
        ("week", "2026-11-23 – 2026-11-29"),
        ("本周", "2026-11-23 – 2026-11-29"),
        ("上周", "2026-11-16 – 2026-11-22"),
        ("last week", "2026-11-16 – 2026-11-22"),
        ("month", "2026-11-01 – 2026-11-30"),
        ("本月", "2026-11-01 – 2026-11-30"),
        ("上月", "2026-10-01 – 2026-10-31"),
        ("上个月", "2026-10-01 – 2026-10-31"),
        ("11月", "2026-11-01 – 2026-11-30"),
        ("十月", "2026-10-01 – 2026-10-31"),
        ("2026-11", "2026-11-01 – 2026-11-30"),
        ("2026年2月", "2026-02-01 – 2026-02-28"),
        ("近7天", "2026-11-17 – 2026-11-23"),
        ("last 7 days", "2026-11-17 – 2026-11-23"),
        ("12-01..12-15", "2026-12-01 – 2026-12-15"),
        ("11月1日到11月15日", "2026-11-01 – 2026-11-15"),
        ("2026-11-05", "2026-11-05"),
        ("今年", "2026-01-01 – 2026-12-31"),
    ],
)
def test_report_periods(typed: str | None, label: str) -> None:
    period = read_period(typed, NOW, SHANGHAI)
    assert period.label == label


def test_a_period_is_shop_local_days_in_utc() -> None:
    period = read_period("昨天", NOW, SHANGHAI)
    assert period.start == at(2026, 11, 22, 0) and period.end == at(2026, 11, 23, 0)
    assert period.days == [date(2026, 11, 22)] and period.slug == "2026-11-22"
    assert read_period("本周", NOW, SHANGHAI).slug == "2026-11-23_2026-11-29"
    assert read_period(None, NOW, SHANGHAI, default="上月").label == "2026-10-01 – 2026-10-31"


@pytest.mark.parametrize(
    ("typed", "message"), [("soon", msg.UNKNOWN_PERIOD), ("2026-13", msg.BAD_YEAR_MONTH)]
)
def test_bad_periods(typed: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        read_period(typed, NOW, SHANGHAI)
    assert caught.value.message == message


def test_is_period_lets_arguments_come_in_any_order() -> None:
    assert is_period("上月", TODAY) and is_period("2026-11", TODAY) and is_period("昨天", TODAY)
    assert not is_period("refund", TODAY) and not is_period("", TODAY)


# ---------------------------------------------------------------------------------------------- hours


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("09:00-18:00", (540, 1080)),
        ("9点-18点半", (540, 1110)),
        ("19:00~24:00", (1140, 1440)),
        ("9-18", (540, 1080)),
        ("九点到十八点", (540, 1080)),
        ("早九晚六", (540, 1080)),
        ("早9晚6", (540, 1080)),
        ("下午2点到晚上10点", (840, 1320)),
        ("０９：００－１８：００", (540, 1080)),
    ],
)
def test_shift_hours_as_typed(typed: str, hours: tuple[int, int]) -> None:
    assert read_hours(typed) == hours


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("18:00-09:00", msg.HOURS_ORDER),
        ("09:00-09:00", msg.HOURS_ORDER),
        ("09:00-24:30", msg.BAD_HOURS),
        ("25:00-26:00", msg.BAD_HOURS),
        ("9:60-10:00", msg.BAD_HOURS),
        ("9", msg.BAD_HOURS),
    ],
)
def test_bad_shift_hours(typed: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        read_hours(typed)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("typed", "wall"),
    [
        ("09:00", time(9)),
        ("9:30", time(9, 30)),
        ("9点", time(9)),
        ("9点半", time(9, 30)),
        ("十点一刻", time(10, 15)),
        ("下午三点", time(15)),
        ("3pm", time(15)),
    ],
)
def test_a_time_of_day(typed: str, wall: time) -> None:
    assert read_clock(typed) == wall


def test_a_bare_early_hour_of_the_day_has_two_readings() -> None:
    assert clock_readings("3点") == (time(3), time(15)) == clock_readings("3")
    assert clock_readings("3:30") == (time(3, 30), time(15, 30))
    assert clock_readings("03:00") == (time(3),)  # written with a zero: 24-hour
    assert clock_readings("凌晨3点") == (time(3),) and clock_readings("下午3点") == (time(15),)
    assert clock_readings("9点") == (time(9),)  # a shop's morning


def test_lengths_and_rotation_periods() -> None:
    assert read_duration("半小时") == read_duration("30") == timedelta(minutes=30)
    assert read_duration("1h30m") == read_duration("一个半小时") == timedelta(minutes=90)
    assert [read_span(word).code for word in ("1m", "2M", "6w", "６周", "1个月", "两周", "10天")] == [
        "1m",
        "2m",
        "6w",
        "6w",
        "1m",
        "2w",
        "10d",
    ]
    for bad in ("0m", "1y", "m", "25m", "six weeks"):
        with pytest.raises(UserError):
            read_span(bad)


def test_seasons_and_overlaps() -> None:
    assert read_month_day("5月1日") == read_month_day("五月一日") == "05-01"
    assert read_month_day("02-29") == "02-29"
    with pytest.raises(UserError):
        read_month_day("02-30")
    assert in_season(date(2026, 5, 1), "05-01", "09-30") and not in_season(
        date(2026, 10, 1), "05-01", "09-30"
    )
    assert in_season(date(2026, 1, 5), "12-01", "02-28")
    assert overlaps((540, 1080), (1000, 1200)) and not overlaps((540, 1080), (1080, 1200))


# ---------------------------------------------------------------------------------------------- working days


def test_china_moves_working_days_around_holidays() -> None:
    assert official_working_day(date(2026, 1, 4))  # a Sunday worked for New Year
    assert not official_working_day(date(2026, 1, 2))  # a Friday off
    assert official_working_day(date(2026, 2, 14)) and official_working_day(date(2026, 2, 28))
    assert not any(official_working_day(date(2026, 2, day)) for day in range(16, 21))  # Spring Festival
    assert make_up_days(2026) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


def test_a_shop_may_add_days_off_and_working_days() -> None:
    shop = ShopCalendar(extra_off=frozenset({date(2026, 11, 24)}), extra_work=frozenset({date(2026, 11, 28)}))
    rule = Recurring(time(9), WorkingDays())
    fires = next_fires(rule, NOW, SHANGHAI, shop, count=4)
    assert fires == [at(2026, 11, 25, 9), at(2026, 11, 26, 9), at(2026, 11, 27, 9), at(2026, 11, 28, 9)]
    assert next_fires(rule, NOW, SHANGHAI, CHINA, count=1) == [at(2026, 11, 24, 9)]


# ---------------------------------------------------------------------------------------------- storage

OLD_FORMS: list[tuple[dict[str, object], Rule]] = [
    ({"kind": "once", "at": "2026-11-23T02:00:00+00:00"}, Once(NOW)),
    ({"kind": "interval", "minutes": 30, "start": None, "end": None}, Interval(30)),
    ({"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"}, Interval(30, time(9), time(18))),
    ({"kind": "weekly", "at": "10:00", "days": [0, 1, 2, 3, 4, 5, 6]}, Recurring(time(10))),
    (
        {"kind": "weekly", "at": "09:30", "days": [0, 2, 4]},
        Recurring(time(9, 30), Weekdays(frozenset({0, 2, 4}))),
    ),
]
"""Rules as the old alarm parser stored them."""


@pytest.mark.parametrize(("stored", "new"), OLD_FORMS)
def test_schedules_stored_by_the_old_alarms_read_back_and_are_written_alike(
    stored: dict[str, object], new: Rule
) -> None:
    assert from_json(stored) == new
    assert to_json(new) == stored


def test_new_kinds_of_days_are_stored_too() -> None:
    rule = Interval(60, time(9), time(17), WorkingDays())
    assert to_json(rule)["on"] == {"kind": "working"}
    every = Recurring(time(10), EveryWeeks(2, frozenset({2}), date(2026, 11, 23)))
    assert to_json(every) == {
        "kind": "recurring",
        "at": "10:00",
        "on": {"kind": "every_weeks", "weeks": 2, "days": [2], "anchor": "2026-11-23"},
    }
    assert from_json(to_json(Recurring(time(18), MonthDays(LAST)))) == Recurring(time(18), MonthDays(LAST))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "yearly"},
        {"kind": "once", "at": "2026-11-23T02:45:00"},
        {"kind": "interval", "minutes": 0},
        {"kind": "interval", "minutes": True},
        {"kind": "interval", "minutes": 30, "start": "09:00"},
        {"kind": "interval", "minutes": 30, "start": "18:00", "end": "09:00"},
        {"kind": "interval", "minutes": 30, "on": {"kind": "sometimes"}},
        {"kind": "weekly", "at": "10:00", "days": []},
        {"kind": "weekly", "at": "10:00", "days": [7]},
        {"kind": "weekly", "at": "25:00", "days": [0]},
        {"kind": "weekly", "days": [0]},
        {
            "kind": "recurring",
            "at": "10:00",
            "on": {"kind": "every_weeks", "weeks": 1, "days": [2], "anchor": "2026-11-23"},
        },
        {
            "kind": "recurring",
            "at": "10:00",
            "on": {"kind": "every_weeks", "weeks": 2, "days": [2], "anchor": "2026-11-24"},
        },
        {"kind": "recurring", "at": "10:00", "on": {"kind": "month_day", "day": 32}},
        {"kind": "recurring", "at": "10:00", "on": "working"},
    ],
)
def test_from_json_refuses_bad_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        from_json(data)


# ---------------------------------------------------------------------------------------------- display


def test_dates_show_their_weekday_in_both_languages() -> None:
    moment = at(2026, 12, 5, 10)
    assert format_moment(moment, SHANGHAI, "zh_CN") == "12月5日 周六 10:00"
    assert format_moment(moment, SHANGHAI, "en") == "Sat 5 Dec 10:00"
    assert format_moment(at(2027, 1, 5, 9), SHANGHAI, "zh_CN", NOW) == "2027年1月5日 周二 09:00"
    assert format_day(date(2027, 1, 5), "en", TODAY) == "Tue 5 Jan 2027"


def test_relative_days() -> None:
    zh, en = translator("zh_CN"), translator("en")
    assert relative_day(at(2026, 11, 24, 9), NOW, SHANGHAI, zh) == "明天"
    assert relative_day(at(2026, 11, 23, 23), NOW, SHANGHAI, en) == "today"
    assert relative_day(at(2026, 11, 26, 9), NOW, SHANGHAI, en) == "in 3 days"
    assert relative_day(at(2026, 11, 26, 9), NOW, SHANGHAI, zh) == "3天后"


def test_plurals() -> None:
    en, zh = translator("en"), translator("zh_CN")
    assert en.ngettext("every {n} minute", "every {n} minutes", 1) == "every 1 minute"
    assert en.ngettext("every {n} minute", "every {n} minutes", 30) == "every 30 minutes"
    assert zh.ngettext("every {n} minute", "every {n} minutes", 30) == "每30分钟"


@pytest.mark.parametrize(
    ("rule", "english", "chinese"),
    [
        (Once(at(2026, 12, 5, 10)), "once on Sat 5 Dec 10:00", "一次：12月5日 周六 10:00"),
        (Interval(30), "every 30 minutes", "每30分钟"),
        (Interval(60), "every 1 hour", "每1小时"),
        (Interval(30, time(9), time(18)), "every 30 minutes from 09:00 to 18:00", "每30分钟（09:00–18:00）"),
        (Interval(120, on=WorkingDays()), "every 2 hours, every working day", "每个工作日，每2小时"),
        (Recurring(time(10)), "every day at 10:00", "每天 10:00"),
        (Recurring(time(9), WorkingDays()), "every working day at 09:00", "每个工作日 09:00"),
        (
            Recurring(time(9), Weekdays(MON_TO_FRI)),
            "every Mon, Tue, Wed, Thu, Fri at 09:00",
            "每周一、周二、周三、周四、周五 09:00",
        ),
        (Recurring(time(10), Weekdays(frozenset({5, 6}))), "every weekend at 10:00", "每个周末 10:00"),
        (
            Recurring(time(10), EveryWeeks(2, frozenset({2}), date(2026, 11, 23))),
            "every 2 weeks on Wed at 10:00",
            "每2周的周三 10:00",
        ),
        (Recurring(time(10), MonthDays(1)), "on day 1 of every month at 10:00", "每月1日 10:00"),
        (
            Recurring(time(18), MonthDays(LAST)),
            "on the last day of every month at 18:00",
            "每月最后一天 18:00",
        ),
    ],
)
def test_describe_in_both_languages(rule: Rule, english: str, chinese: str) -> None:
    assert describe(rule, translator("en"), SHANGHAI) == english
    assert describe(rule, translator("zh_CN"), SHANGHAI) == chinese


# ------------------------------------------------------------------------------------------ the old alarms

OLD_READINGS: list[tuple[str, dict[str, object], str, int | None]] = [
    (
        "at 14:30 put dresses on sale",
        {"kind": "once", "at": "2026-11-23T06:30:00+00:00"},
        "put dresses on sale",
        None,
    ),
    ("at 09:00 x", {"kind": "once", "at": "2026-11-24T01:00:00+00:00"}, "x", None),
    ("at 10:01 x", {"kind": "once", "at": "2026-11-23T02:01:00+00:00"}, "x", None),
    ("at 2026-12-01 14:30 x", {"kind": "once", "at": "2026-12-01T06:30:00+00:00"}, "x", None),
    ("at 12-01 14:30 x", {"kind": "once", "at": "2026-12-01T06:30:00+00:00"}, "x", None),
    ("at 01-05 10:00 x", {"kind": "once", "at": "2027-01-05T02:00:00+00:00"}, "x", None),
    ("at 2:30pm x", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "x", None),
    ("at 12am x", {"kind": "once", "at": "2026-11-23T16:00:00+00:00"}, "x", None),
    ("tomorrow 9am x", {"kind": "once", "at": "2026-11-24T01:00:00+00:00"}, "x", None),
    ("at tomorrow 21:00 x", {"kind": "once", "at": "2026-11-24T13:00:00+00:00"}, "x", None),
    ("tomorrow at 9:15 x", {"kind": "once", "at": "2026-11-24T01:15:00+00:00"}, "x", None),
    ("AT 14:30 Check Stock", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "Check Stock", None),
    ("in 45m x", {"kind": "once", "at": "2026-11-23T02:45:00+00:00"}, "x", None),
    ("in 2h x", {"kind": "once", "at": "2026-11-23T04:00:00+00:00"}, "x", None),
    ("in 1h30m x", {"kind": "once", "at": "2026-11-23T03:30:00+00:00"}, "x", None),
    ("in 90 min x", {"kind": "once", "at": "2026-11-23T03:30:00+00:00"}, "x", None),
    ("in 1 hour 30 minutes x", {"kind": "once", "at": "2026-11-23T03:30:00+00:00"}, "x", None),
    ("in half an hour x", {"kind": "once", "at": "2026-11-23T02:30:00+00:00"}, "x", None),
    ("14点30 上架", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "上架", None),
    ("14:30 上架", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "上架", None),
    ("14点 上架", {"kind": "once", "at": "2026-11-23T06:00:00+00:00"}, "上架", None),
    ("14点半 上架", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "上架", None),
    ("14点30分 上架", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "上架", None),
    ("14时30分 上架", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "上架", None),
    ("明天9点 上架", {"kind": "once", "at": "2026-11-24T01:00:00+00:00"}, "上架", None),
    ("明天 9点 上架", {"kind": "once", "at": "2026-11-24T01:00:00+00:00"}, "上架", None),
    ("后天上午9点半 上架", {"kind": "once", "at": "2026-11-25T01:30:00+00:00"}, "上架", None),
    ("下午3点 上架", {"kind": "once", "at": "2026-11-23T07:00:00+00:00"}, "上架", None),
    ("晚上8点 上架", {"kind": "once", "at": "2026-11-23T12:00:00+00:00"}, "上架", None),
    ("晚上20点 上架", {"kind": "once", "at": "2026-11-23T12:00:00+00:00"}, "上架", None),
    ("中午12点 上架", {"kind": "once", "at": "2026-11-23T04:00:00+00:00"}, "上架", None),
    ("12月1日 14点 上架", {"kind": "once", "at": "2026-12-01T06:00:00+00:00"}, "上架", None),
    ("2026年12月1日14:30 上架", {"kind": "once", "at": "2026-12-01T06:30:00+00:00"}, "上架", None),
    ("45分钟后 上架", {"kind": "once", "at": "2026-11-23T02:45:00+00:00"}, "上架", None),
    ("2小时后 上架", {"kind": "once", "at": "2026-11-23T04:00:00+00:00"}, "上架", None),
    ("1小时30分钟后 上架", {"kind": "once", "at": "2026-11-23T03:30:00+00:00"}, "上架", None),
    ("半小时后 上架", {"kind": "once", "at": "2026-11-23T02:30:00+00:00"}, "上架", None),
    ("45分钟后上架新品", {"kind": "once", "at": "2026-11-23T02:45:00+00:00"}, "上架新品", None),
    ("明天下午3点开会", {"kind": "once", "at": "2026-11-24T07:00:00+00:00"}, "开会", None),
    ("14点30，下架冬装", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "下架冬装", None),
    ("１４：３０\u3000上架", {"kind": "once", "at": "2026-11-23T06:30:00+00:00"}, "上架", None),
    (
        "every 30m from 09:00 to 18:00 x",
        {"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"},
        "x",
        None,
    ),
    (
        "every 30m 09:00-18:00 x",
        {"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"},
        "x",
        None,
    ),
    (
        "every 30 minutes between 9:00 and 18:00 x",
        {"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"},
        "x",
        None,
    ),
    ("every 30m x", {"kind": "interval", "minutes": 30, "start": None, "end": None}, "x", None),
    (
        "every 2h from 10:00 to 22:00 x",
        {"kind": "interval", "minutes": 120, "start": "10:00", "end": "22:00"},
        "x",
        None,
    ),
    ("every 1h30m x", {"kind": "interval", "minutes": 90, "start": None, "end": None}, "x", None),
    ("every 90 min x", {"kind": "interval", "minutes": 90, "start": None, "end": None}, "x", None),
    ("every hour x", {"kind": "interval", "minutes": 60, "start": None, "end": None}, "x", None),
    ("every half hour x", {"kind": "interval", "minutes": 30, "start": None, "end": None}, "x", None),
    ("every minute x", {"kind": "interval", "minutes": 1, "start": None, "end": None}, "x", None),
    (
        "hourly from 9am to 5pm x",
        {"kind": "interval", "minutes": 60, "start": "09:00", "end": "17:00"},
        "x",
        None,
    ),
    ("every 24h x", {"kind": "interval", "minutes": 1440, "start": None, "end": None}, "x", None),
    ("每30分钟 x", {"kind": "interval", "minutes": 30, "start": None, "end": None}, "x", None),
    (
        "每30分钟 9点到18点 x",
        {"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"},
        "x",
        None,
    ),
    (
        "每30分钟 从9:00到18:00 x",
        {"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"},
        "x",
        None,
    ),
    (
        "每30分钟9点至18点半 x",
        {"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:30"},
        "x",
        None,
    ),
    ("每2小时 x", {"kind": "interval", "minutes": 120, "start": None, "end": None}, "x", None),
    ("每隔45分钟 x", {"kind": "interval", "minutes": 45, "start": None, "end": None}, "x", None),
    ("每小时 x", {"kind": "interval", "minutes": 60, "start": None, "end": None}, "x", None),
    ("每个小时 x", {"kind": "interval", "minutes": 60, "start": None, "end": None}, "x", None),
    ("每半小时 x", {"kind": "interval", "minutes": 30, "start": None, "end": None}, "x", None),
    ("每1小时30分钟 x", {"kind": "interval", "minutes": 90, "start": None, "end": None}, "x", None),
    ("every day 10:00 x", {"kind": "weekly", "at": "10:00", "days": [0, 1, 2, 3, 4, 5, 6]}, "x", None),
    ("every day at 10am x", {"kind": "weekly", "at": "10:00", "days": [0, 1, 2, 3, 4, 5, 6]}, "x", None),
    ("daily 10:00 x", {"kind": "weekly", "at": "10:00", "days": [0, 1, 2, 3, 4, 5, 6]}, "x", None),
    ("every mon,wed,fri 09:30 x", {"kind": "weekly", "at": "09:30", "days": [0, 2, 4]}, "x", None),
    ("every Mon, Wed, Fri 09:30 x", {"kind": "weekly", "at": "09:30", "days": [0, 2, 4]}, "x", None),
    ("every mon-fri 9:00 x", {"kind": "weekly", "at": "09:00", "days": [0, 1, 2, 3, 4]}, "x", None),
    ("every monday and thursday 09:30 x", {"kind": "weekly", "at": "09:30", "days": [0, 3]}, "x", None),
    ("every fri-mon 9:00 x", {"kind": "weekly", "at": "09:00", "days": [0, 4, 5, 6]}, "x", None),
    ("every weekend 10:00 x", {"kind": "weekly", "at": "10:00", "days": [5, 6]}, "x", None),
    ("every sun 20:00 x", {"kind": "weekly", "at": "20:00", "days": [6]}, "x", None),
    ("每天10点 x", {"kind": "weekly", "at": "10:00", "days": [0, 1, 2, 3, 4, 5, 6]}, "x", None),
    ("每日 10:00 x", {"kind": "weekly", "at": "10:00", "days": [0, 1, 2, 3, 4, 5, 6]}, "x", None),
    ("每天晚上8点半 x", {"kind": "weekly", "at": "20:30", "days": [0, 1, 2, 3, 4, 5, 6]}, "x", None),
    ("每周一三五 9点30 x", {"kind": "weekly", "at": "09:30", "days": [0, 2, 4]}, "x", None),
    ("每周一、三、五 09:30 x", {"kind": "weekly", "at": "09:30", "days": [0, 2, 4]}, "x", None),
    ("每周一至五 9点 x", {"kind": "weekly", "at": "09:00", "days": [0, 1, 2, 3, 4]}, "x", None),
    ("每周一到周五 9点 x", {"kind": "weekly", "at": "09:00", "days": [0, 1, 2, 3, 4]}, "x", None),
    ("每周日 20点 x", {"kind": "weekly", "at": "20:00", "days": [6]}, "x", None),
    ("每星期六 20点 x", {"kind": "weekly", "at": "20:00", "days": [5]}, "x", None),
    ("周末10点 x", {"kind": "weekly", "at": "10:00", "days": [5, 6]}, "x", None),
    ("每周末10点 x", {"kind": "weekly", "at": "10:00", "days": [5, 6]}, "x", None),
    (
        "every 30m lead=5m change listings",
        {"kind": "interval", "minutes": 30, "start": None, "end": None},
        "change listings",
        5,
    ),
    (
        "每30分钟 上下架 提前=5分钟",
        {"kind": "interval", "minutes": 30, "start": None, "end": None},
        "上下架",
        5,
    ),
    ("every 2h x lead=90", {"kind": "interval", "minutes": 120, "start": None, "end": None}, "x", 90),
    ("in 45m x lead=44m", {"kind": "once", "at": "2026-11-23T02:45:00+00:00"}, "x", 44),
]
"""Phrases the old alarm parser's tests defined, with what it read (frozen when it was deleted); the grammar
must read them the same (the bare 9点 with no day and 工作日 / every weekday are the deliberate changes,
tested above)."""


@pytest.mark.parametrize(("typed", "stored", "text", "lead"), OLD_READINGS)
def test_what_the_old_alarms_read_is_read_the_same(
    typed: str, stored: dict[str, object], text: str, lead: int | None
) -> None:
    new = read_schedule(typed, NOW, SHANGHAI)
    assert (to_json(new.rule), new.text, new.lead) == (
        stored,
        text,
        timedelta(minutes=lead) if lead else None,
    )
