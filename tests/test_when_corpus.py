"""The phrasings the team types, table-driven: each with what it means and when it fires next.

Every row is read as `/shelf <phrase> x` at a fixed now (Monday 2026-11-23 10:00 in Shanghai unless the
group says otherwise) and must give the structured meaning, the alarm text "x", the next three fire times on
the shop's wall clock, and whether the bot must confirm before saving (a bare 3点 may be 03:00 or 15:00).
Groups in New York and Berlin cross the DST changes; two groups cross China's make-up working days (调休).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.when import (
    EVERY_DAY,
    LAST,
    Days,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Recurring,
    Rule,
    Weekdays,
    next_fires,
    read_schedule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Shanghai."""
HALF_HOUR = timedelta(minutes=30)
NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Group:
    """Phrasings with one meaning: the meaning in short, the next fires (local), whether to confirm."""

    meaning: str
    fires: tuple[str, ...]
    phrases: tuple[str, ...]
    ask: bool = False
    zone: ZoneInfo = SHANGHAI
    now: datetime = NOW


def days_code(on: Days) -> str:
    """Which days, in short: daily, mon,wed,fri, workdays, every 2w wed from 11-23, monthly 1 / last."""
    if on == EVERY_DAY:
        return "daily"
    if isinstance(on, Weekdays):
        return ",".join(NAMES[day] for day in sorted(on.days))
    if isinstance(on, EveryWeeks):
        days = ",".join(NAMES[day] for day in sorted(on.days))
        return f"every {on.weeks}w {days} from {on.anchor:%m-%d}"
    if isinstance(on, MonthDays):
        return "monthly last" if on.day == LAST else f"monthly {on.day}"
    return "workdays"


def meaning(rule: Rule, zone: ZoneInfo) -> str:
    """A rule in short: `once 2026-11-23 15:00`, `every 30m 09:00-18:00`, `at 10:00 daily`."""
    if isinstance(rule, Once):
        return f"once {rule.at.astimezone(zone):%Y-%m-%d %H:%M}"
    if isinstance(rule, Interval):
        window = f" {rule.start:%H:%M}-{rule.end:%H:%M}" if rule.start and rule.end else ""
        days = "" if rule.on == EVERY_DAY else f" {days_code(rule.on)}"
        return f"every {rule.minutes}m{window}{days}"
    assert isinstance(rule, Recurring)
    return f"at {rule.at:%H:%M} {days_code(rule.on)}"


def ny(year: int, month: int, day: int, hour: int) -> datetime:
    """A New York wall time as an instant."""
    return datetime(year, month, day, hour, tzinfo=NEW_YORK).astimezone(UTC)


def shanghai(year: int, month: int, day: int, hour: int) -> datetime:
    """A Shanghai wall time as an instant."""
    return datetime(year, month, day, hour, tzinfo=SHANGHAI).astimezone(UTC)


THIRTY = ("2026-11-23 10:30", "2026-11-23 11:00", "2026-11-23 11:30")

GROUPS: tuple[Group, ...] = (
    # ------------------------------------------------------------------ intervals
    Group(
        "every 30m 09:00-18:00",
        THIRTY,
        (
            "每30分钟 9点到18点",
            "9点到18点每30分钟",
            "每30分钟9点至18点",
            "每三十分钟 九点到十八点",
            "九点到十八点 每三十分钟",
            "每隔30分钟 9点到18点",
            "每半小时 9点到18点",
            "每半个小时 从9点到18点",
            "从9:00到18:00 每30分钟",
            "每30分钟 09:00-18:00",
            "每30分 9点-18点",
            "９点到１８点每３０分钟",
            "每30分鐘 9點到18點",
            "每30分钟 上午9点到下午6点",
            "每30分钟 早上9点到晚上6点",
            "每三十分钟 九点至十八点之间",
            "从早上九点到下午六点 每半小时",
            "every 30m from 09:00 to 18:00",
            "every 30 minutes from 9am to 6pm",
            "every 30 min between 9:00 and 18:00",
            "every half hour from 9:00 to 18:00",
            "from 9am to 6pm every 30 minutes",
            "every 30m 09:00-18:00",
        ),
    ),
    Group(
        "every 30m 09:00-18:00",
        THIRTY,
        ("每30分钟 9点到6点", "九点到六点 每半小时", "9点到6点每30分钟"),
        ask=True,
    ),
    Group(
        "every 30m",
        THIRTY,
        (
            "每30分钟",
            "每隔30分钟",
            "每半小时",
            "每三十分钟",
            "每个半小时",
            "每隔三十分钟",
            "every 30m",
            "every 30 minutes",
            "every half hour",
            "every half an hour",
        ),
    ),
    Group(
        "every 120m",
        ("2026-11-23 12:00", "2026-11-23 14:00", "2026-11-23 16:00"),
        (
            "每2小时",
            "每两小时",
            "每两个小时",
            "每隔两小时",
            "每2个钟头",
            "每隔二小时",
            "每兩小時",
            "every 2h",
            "every 2 hours",
            "every 120 min",
        ),
    ),
    Group(
        "every 60m",
        ("2026-11-23 11:00", "2026-11-23 12:00", "2026-11-23 13:00"),
        (
            "每小时",
            "每个小时",
            "每1小时",
            "每一小时",
            "每隔一小时",
            "每一个小时",
            "每小時",
            "every hour",
            "hourly",
            "every 60 minutes",
        ),
    ),
    Group(
        "every 45m",
        ("2026-11-23 10:30", "2026-11-23 11:15", "2026-11-23 12:00"),
        ("每45分钟", "每四十五分钟", "每隔45分钟", "每三刻钟", "every 45 min"),
    ),
    Group(
        "every 90m",
        ("2026-11-23 10:30", "2026-11-23 12:00", "2026-11-23 13:30"),
        (
            "每1小时30分钟",
            "每一个半小时",
            "每1个半小时",
            "每九十分钟",
            "every 1h30m",
            "every 90 minutes",
            "every 1.5 hours",
        ),
    ),
    Group(
        "every 120m 10:00-22:00",
        ("2026-11-23 12:00", "2026-11-23 14:00", "2026-11-23 16:00"),
        (
            "每2小时 10点到22点",
            "每两小时 上午十点到晚上十点",
            "每隔两小时 10:00-22:00",
            "every 2 hours from 10am to 10pm",
        ),
    ),
    Group(
        "every 60m 09:00-17:00 workdays",
        ("2026-11-23 11:00", "2026-11-23 12:00", "2026-11-23 13:00"),
        (
            "工作日每小时 9点到17点",
            "每个工作日 9点到17点 每小时",
            "every working day every hour from 9am to 5pm",
        ),
    ),
    Group(
        "every 60m 10:00-12:00 sat,sun",
        ("2026-11-28 10:00", "2026-11-28 11:00", "2026-11-28 12:00"),
        ("周末每小时 10点到12点", "每个周末 每小时 十点到十二点", "on weekends every hour from 10am to 12pm"),
    ),
    # ------------------------------------------------------------------ every day
    Group(
        "at 10:00 daily",
        ("2026-11-24 10:00", "2026-11-25 10:00", "2026-11-26 10:00"),
        (
            "每天10点",
            "每天十点",
            "每日10:00",
            "天天10点",
            "每天上午10点",
            "每天早上十点",
            "每天10点整",
            "每天10点钟",
            "每天 10:00",
            "每一天10点",
            "每天十点钟",
            "每天 上午十点",
            "每日上午10時",
            "每早10点",
            "every day at 10",
            "every day 10:00",
            "every day at 10am",
            "daily 10:00",
            "daily at 10am",
            "everyday at 10:00",
            "each day at 10 a.m.",
        ),
    ),
    Group(
        "at 20:30 daily",
        ("2026-11-23 20:30", "2026-11-24 20:30", "2026-11-25 20:30"),
        (
            "每天晚上8点半",
            "每天晚上八点半",
            "每天20:30",
            "每天二十点三十分",
            "每晚8点半",
            "每晚八点半",
            "每天傍晚八点半",
            "every day at 8:30pm",
            "daily at 20:30",
        ),
    ),
    Group(
        "at 03:00 daily",
        ("2026-11-24 03:00", "2026-11-25 03:00", "2026-11-26 03:00"),
        ("每天3点", "每天三点", "每天三点钟", "every day at 3"),
        ask=True,
    ),
    Group(
        "at 15:00 daily",
        ("2026-11-23 15:00", "2026-11-24 15:00", "2026-11-25 15:00"),
        (
            "每天下午3点",
            "每天下午三点",
            "每天15点",
            "每天15:00",
            "每天十五点",
            "天天下午三点",
            "every day at 3pm",
            "daily at 15:00",
        ),
    ),
    Group(
        "at 00:00 daily",
        ("2026-11-24 00:00", "2026-11-25 00:00", "2026-11-26 00:00"),
        (
            "每天零点",
            "每天0点",
            "每天晚上12点",
            "每天凌晨12点",
            "每天零点整",
            "every day at midnight",
            "daily at 00:00",
        ),
    ),
    Group(
        "at 12:00 daily",
        ("2026-11-23 12:00", "2026-11-24 12:00", "2026-11-25 12:00"),
        ("每天中午12点", "每天中午十二点", "每天12点", "每天十二点", "every day at noon", "daily at 12pm"),
    ),
    # ------------------------------------------------------------------ working days and weekdays
    Group(
        "at 09:00 workdays",
        ("2026-11-24 09:00", "2026-11-25 09:00", "2026-11-26 09:00"),
        (
            "工作日9点",
            "工作日九点",
            "每个工作日9点",
            "每个工作日 上午9点",
            "工作日早上九点",
            "每工作日9:00",
            "工作日 09:00",
            "每个工作日早上9点",
            "every weekday at 9",
            "every working day at 9am",
            "weekdays at 09:00",
            "on workdays at 9:00",
        ),
    ),
    Group(
        "at 09:30 mon,tue,wed,thu,fri",
        ("2026-11-24 09:30", "2026-11-25 09:30", "2026-11-26 09:30"),
        (
            "周一到周五9点半",
            "周一至周五 9:30",
            "每周一到周五 九点半",
            "每周一至五 9点30",
            "星期一到星期五 9点30分",
            "礼拜一到礼拜五 九点半",
            "週一到週五 9點半",
            "周一到五 九点三十分",
            "every mon-fri at 9:30",
            "mon-fri 9:30am",
            "every monday to friday at 09:30",
        ),
    ),
    Group(
        "at 09:30 mon,wed,fri",
        ("2026-11-25 09:30", "2026-11-27 09:30", "2026-11-30 09:30"),
        (
            "每周一三五 9点30",
            "每周一、三、五 09:30",
            "每周一三五 九点半",
            "每星期一三五 9:30",
            "周一、周三、周五 9点半",
            "每周一，周三，周五 9点半",
            "每周一和周三和周五 九点半",
            "every mon,wed,fri 09:30",
            "every Mon, Wed, Fri at 9:30am",
            "mondays, wednesdays and fridays at 9:30",
        ),
    ),
    Group(
        "at 20:00 sun",
        ("2026-11-29 20:00", "2026-12-06 20:00", "2026-12-13 20:00"),
        (
            "每周日 20点",
            "每周日晚上8点",
            "每星期天晚上八点",
            "每礼拜天 20:00",
            "每周天晚上八点",
            "every sunday at 8pm",
            "sundays at 20:00",
        ),
    ),
    Group(
        "at 10:00 sat,sun",
        ("2026-11-28 10:00", "2026-11-29 10:00", "2026-12-05 10:00"),
        (
            "周末10点",
            "每周末10点",
            "每个周末上午十点",
            "周末上午10点",
            "every weekend at 10am",
            "weekends at 10:00",
        ),
    ),
    # ------------------------------------------------------------------ every other week, monthly
    Group(
        "at 10:00 every 2w wed from 11-23",
        ("2026-11-25 10:00", "2026-12-09 10:00", "2026-12-23 10:00"),
        (
            "每隔一周周三10点",
            "每两周周三 10点",
            "每2周的周三 十点",
            "隔周周三 上午10点",
            "双周周三10点",
            "每隔一个星期 星期三 10点",
            "每两周的星期三上午十点",
            "every other week on wednesday at 10am",
            "every 2nd week on Wednesday at 10",
            "every other wednesday at 10:00",
            "biweekly on wed at 10am",
            "every 2 weeks on wednesday at 10:00",
        ),
    ),
    Group(
        "at 10:00 every 3w wed from 11-23",
        ("2026-11-25 10:00", "2026-12-16 10:00", "2027-01-06 10:00"),
        ("每隔两周周三10点", "每隔2周 周三 10点"),
        ask=True,
    ),
    Group(
        "at 10:00 every 3w wed from 11-23",
        ("2026-11-25 10:00", "2026-12-16 10:00", "2027-01-06 10:00"),
        ("每三周周三10点", "每3周的星期三 10点", "every 3 weeks on wednesday at 10am"),
    ),
    Group(
        "at 10:00 monthly 1",
        ("2026-12-01 10:00", "2027-01-01 10:00", "2027-02-01 10:00"),
        (
            "每月1号10点",
            "每月一号十点",
            "每个月1号 上午10点",
            "每月1日 10:00",
            "每月的1号 10点",
            "每月一日上午十点",
            "on the 1st of every month at 10am",
            "monthly on the 1st at 10:00",
            "every month on the 1st at 10",
        ),
    ),
    Group(
        "at 18:00 monthly last",
        ("2026-11-30 18:00", "2026-12-31 18:00", "2027-01-31 18:00"),
        (
            "每月最后一天18点",
            "每月最后一天 下午6点",
            "每个月最后一天 晚上六点",
            "每月底18点",
            "每月月底 18:00",
            "on the last day of every month at 6pm",
            "monthly on the last day at 18:00",
        ),
    ),
    Group(
        "at 10:00 monthly 31",
        ("2026-12-31 10:00", "2027-01-31 10:00", "2027-03-31 10:00"),
        ("每月31号10点", "每月三十一号上午十点", "on the 31st of every month at 10am"),
        ask=True,
    ),
    Group(
        "at 20:00 monthly 15",
        ("2026-12-15 20:00", "2027-01-15 20:00", "2027-02-15 20:00"),
        ("每月15号晚上8点", "每月十五号晚上八点", "每个月的15日 20:00", "on the 15th of each month at 8pm"),
    ),
    # ------------------------------------------------------------------ one-off: a time of day
    Group(
        "once 2026-11-23 14:30",
        ("2026-11-23 14:30",),
        (
            "14点30",
            "14:30",
            "十四点三十",
            "14点半",
            "十四点半",
            "下午2点半",
            "下午两点半",
            "下午2:30",
            "14点30分",
            "14时30分",
            "今天14点30",
            "今天下午两点半",
            "１４：３０",
            "下午兩點半",
            "at 14:30",
            "at 2:30pm",
            "2:30 pm",
            "today at 14:30",
            "this afternoon at 2:30",
        ),
    ),
    Group(
        "once 2026-11-23 15:00", ("2026-11-23 15:00",), ("3点", "三点", "3点钟", "三点钟", "at 3"), ask=True
    ),
    Group(
        "once 2026-11-23 15:30", ("2026-11-23 15:30",), ("3点半", "三点半", "3:30", "三点三十分"), ask=True
    ),
    Group(
        "once 2026-11-23 21:00",
        ("2026-11-23 21:00",),
        ("9点", "九点", "at 9", "今天9点", "今天九点"),
        ask=True,
    ),
    Group("once 2026-11-23 11:00", ("2026-11-23 11:00",), ("11点", "十一点", "十一点钟"), ask=True),
    Group(
        "once 2026-11-23 14:15",
        ("2026-11-23 14:15",),
        ("14点一刻", "十四点一刻", "下午两点一刻", "14点15分", "14:15", "下午2点15", "下午两点十五分"),
    ),
    Group(
        "once 2026-11-23 14:45",
        ("2026-11-23 14:45",),
        ("14点三刻", "下午两点三刻", "十四点四十五", "14:45", "2:45pm", "十四点四十五分"),
    ),
    Group(
        "once 2026-11-24 00:00",
        ("2026-11-24 00:00",),
        ("零点", "0点", "00:00", "晚上12点", "今晚12点", "半夜12点", "零点整", "midnight", "at midnight"),
    ),
    Group(
        "once 2026-11-23 12:00",
        ("2026-11-23 12:00",),
        ("中午12点", "中午十二点", "12点", "十二点", "12:00", "noon", "at noon", "12pm", "at 12 noon"),
    ),
    Group(
        "once 2026-11-23 20:00",
        ("2026-11-23 20:00",),
        (
            "今晚8点",
            "今晚八点",
            "今天晚上8点",
            "今天晚上八点",
            "晚上8点",
            "晚上八点",
            "晚8点",
            "20点",
            "二十点",
            "20:00",
            "傍晚八点",
            "tonight at 8",
            "at 8 tonight",
            "8pm",
            "at 8pm",
            "8 pm tonight",
            "today at 20:00",
        ),
    ),
    Group(
        "once 2026-11-23 22:00",
        ("2026-11-23 22:00",),
        ("今天22点", "今天晚上10点", "今晚十点", "今天晚上22:00", "tonight at 10", "10pm tonight"),
    ),
    # ------------------------------------------------------------------ one-off: a day and a time
    Group(
        "once 2026-11-24 09:00",
        ("2026-11-24 09:00",),
        (
            "明早9点",
            "明早九点",
            "明天早上9点",
            "明天早上九点",
            "明天上午9点",
            "明天9点",
            "明天九点",
            "明天 9:00",
            "明天09:00",
            "明日9時",
            "明天早上九点钟",
            "明晨9点",
            "tomorrow 9am",
            "tomorrow at 9am",
            "tomorrow morning at 9",
            "tomorrow at 09:00",
            "tmr 9am",
        ),
    ),
    Group(
        "once 2026-11-24 15:00",
        ("2026-11-24 15:00",),
        (
            "明天下午3点",
            "明天下午三点",
            "明天15点",
            "明天十五点",
            "明天15:00",
            "在明天下午3点",
            "tomorrow at 3pm",
            "tomorrow 15:00",
        ),
    ),
    Group("once 2026-11-24 03:00", ("2026-11-24 03:00",), ("明天3点", "明天三点", "tomorrow at 3"), ask=True),
    Group(
        "once 2026-11-25 09:30",
        ("2026-11-25 09:30",),
        (
            "后天上午9点半",
            "后天九点半",
            "後天上午九點半",
            "后天9:30",
            "后天早上九点半",
            "the day after tomorrow at 9:30am",
            "day after tomorrow 9:30",
        ),
    ),
    Group(
        "once 2026-11-26 10:00",
        ("2026-11-26 10:00",),
        (
            "大后天10点",
            "大后天上午十点",
            "大后天 10:00",
            "3天后10点",
            "三天后十点",
            "3天后上午10点",
            "3天后",
            "三天后",
            "3天以后",
            "三天之后",
            "in 3 days at 10am",
            "in 3 days",
            "3 days later",
        ),
    ),
    Group(
        "once 2026-11-27 10:00",
        ("2026-11-27 10:00",),
        (
            "周五10点",
            "周五十点",
            "周五上午10点",
            "星期五10点",
            "星期五上午十点",
            "礼拜五10点",
            "这周五10点",
            "本周五 10:00",
            "週五10點",
            "这个星期五上午十点",
            "friday 10am",
            "on friday at 10:00",
            "this friday at 10am",
            "fri 10:00",
        ),
    ),
    Group(
        "once 2026-11-30 09:00",
        ("2026-11-30 09:00",),
        (
            "下周一9点",
            "下周一九点",
            "下周一上午9点",
            "下星期一 9:00",
            "下个星期一早上九点",
            "下礼拜一9点",
            "next monday at 9am",
            "next Monday 9:00",
            "next mon 09:00",
        ),
    ),
    Group(
        "once 2026-12-09 14:00",
        ("2026-12-09 14:00",),
        ("下下周三14点", "下下周三下午两点", "下下星期三 14:00"),
    ),
    Group(
        "once 2026-11-29 20:00",
        ("2026-11-29 20:00",),
        (
            "周日晚上8点",
            "周日20点",
            "星期天晚上八点",
            "星期日 20:00",
            "礼拜天晚上8点",
            "周天晚上八点",
            "sunday at 8pm",
            "on sunday 20:00",
            "sun 8pm",
        ),
    ),
    Group(
        "once 2026-12-05 10:00",
        ("2026-12-05 10:00",),
        (
            "12月5日10点",
            "12月5日 上午10点",
            "十二月五日十点",
            "12月5号10点",
            "12-05 10:00",
            "12/05 10:00",
            "2026-12-05 10:00",
            "2026年12月5日 10:00",
            "5号10点",
            "5号上午十点",
            "二〇二六年十二月五日上午十点",
            "Dec 5 10am",
            "5 Dec 10:00",
            "december 5th at 10am",
            "on dec 5 at 10:00",
        ),
    ),
    Group(
        "once 2026-12-01 14:00",
        ("2026-12-01 14:00",),
        (
            "12月1日 14点",
            "12月1日下午2点",
            "12-01 14:00",
            "下个月1号下午两点",
            "下月1号 14:00",
            "十二月一日下午两点",
            "2026/12/01 14:00",
            "Dec 1 at 2pm",
        ),
    ),
    Group(
        "once 2027-01-05 10:00",
        ("2027-01-05 10:00",),
        ("01-05 10:00", "1月5日10点", "1月5号上午十点", "一月五日十点", "Jan 5 10am", "2027-01-05 10:00"),
    ),
    # ------------------------------------------------------------------ one-off: after a while
    Group(
        "once 2026-11-23 12:00",
        ("2026-11-23 12:00",),
        (
            "两小时后",
            "2小时后",
            "二小时后",
            "两个小时后",
            "2个小时以后",
            "两个钟头后",
            "120分钟后",
            "一百二十分钟后",
            "两小时之后",
            "兩小時後",
            "in 2 hours",
            "in 2h",
            "in 120 minutes",
            "2 hours later",
            "2 hours from now",
            "after 2 hours",
        ),
    ),
    Group(
        "once 2026-11-23 10:45",
        ("2026-11-23 10:45",),
        (
            "45分钟后",
            "四十五分钟后",
            "三刻钟后",
            "45分钟以后",
            "45分钟之后",
            "in 45m",
            "in 45 minutes",
            "45 minutes later",
        ),
    ),
    Group(
        "once 2026-11-23 10:30",
        ("2026-11-23 10:30",),
        ("半小时后", "半个小时后", "30分钟后", "三十分钟后", "半个钟头后", "in half an hour", "in 30 min"),
    ),
    Group(
        "once 2026-11-23 11:30",
        ("2026-11-23 11:30",),
        (
            "一个半小时后",
            "1个半小时后",
            "90分钟后",
            "1小时30分钟后",
            "一小时三十分钟后",
            "九十分钟以后",
            "in 1h30m",
            "in 90 min",
            "in an hour and a half",
            "in 1.5 hours",
        ),
    ),
    Group(
        "once 2026-11-23 10:20",
        ("2026-11-23 10:20",),
        ("二十分钟后", "20分钟后", "二十分钟以后", "in 20 minutes"),
    ),
    Group(
        "once 2026-11-23 10:15",
        ("2026-11-23 10:15",),
        ("一刻钟后", "15分钟后", "十五分钟后", "一刻钟之后", "in a quarter of an hour", "in 15m"),
    ),
    # ------------------------------------------------------------------ China's make-up working days (调休)
    Group(
        "at 09:00 workdays",
        ("2026-01-04 09:00", "2026-01-05 09:00", "2026-01-06 09:00"),
        ("工作日9点", "每个工作日早上九点", "every working day at 9am"),
        now=shanghai(2025, 12, 31, 10),  # 1–3 January off, Sunday the 4th worked
    ),
    Group(
        "at 09:00 mon,tue,wed,thu,fri",
        ("2026-01-01 09:00", "2026-01-02 09:00", "2026-01-05 09:00"),
        ("周一到周五9点", "every mon-fri at 9am"),
        now=shanghai(2025, 12, 31, 10),  # fixed weekdays ignore the holiday
    ),
    Group(
        "at 09:00 workdays",
        ("2026-02-14 09:00", "2026-02-24 09:00", "2026-02-25 09:00"),
        ("工作日9点", "每个工作日上午九点"),
        now=shanghai(2026, 2, 13, 10),  # Saturday the 14th worked, then the Spring Festival
    ),
    # ------------------------------------------------------------------ DST: New York and Berlin
    Group(
        "at 02:30 daily",
        ("2026-03-08 03:30-0400", "2026-03-09 02:30-0400", "2026-03-10 02:30-0400"),
        ("每天02:30", "every day at 02:30", "daily 02:30", "天天02:30"),
        zone=NEW_YORK,
        now=ny(2026, 3, 7, 12),
    ),
    Group(
        "every 30m 01:00-04:00",
        ("2026-03-08 01:00-0500", "2026-03-08 01:30-0500", "2026-03-08 03:00-0400"),
        ("每30分钟 01:00到04:00", "every 30m from 01:00 to 04:00"),
        zone=NEW_YORK,
        now=ny(2026, 3, 7, 12),
    ),
    Group(
        "every 60m",
        ("2026-03-08 01:00-0500", "2026-03-08 03:00-0400", "2026-03-08 04:00-0400"),
        ("每小时", "every hour", "hourly"),
        zone=NEW_YORK,
        now=ny(2026, 3, 8, 0) + HALF_HOUR,  # 00:30 EST
    ),
    Group(
        "at 01:30 daily",
        ("2026-11-01 01:30-0400", "2026-11-02 01:30-0500", "2026-11-03 01:30-0500"),
        ("每天01:30", "every day at 01:30"),
        zone=NEW_YORK,
        now=ny(2026, 10, 31, 12),
    ),
    Group(
        "every 60m",
        ("2026-11-01 01:00-0400", "2026-11-01 01:00-0500", "2026-11-01 02:00-0500"),
        ("每小时", "every hour"),
        zone=NEW_YORK,
        now=ny(2026, 11, 1, 0) + HALF_HOUR,  # 00:30 EDT
    ),
    Group(
        "once 2026-03-08 03:30",
        ("2026-03-08 03:30-0400",),
        ("2026-03-08 02:30", "3月8日02:30", "tomorrow at 02:30"),
        zone=NEW_YORK,
        now=ny(2026, 3, 7, 12),
    ),
    Group(
        "at 02:30 daily",
        ("2026-03-29 03:30+0200", "2026-03-30 02:30+0200", "2026-03-31 02:30+0200"),
        ("每天02:30", "every day at 02:30"),
        zone=BERLIN,
        now=datetime(2026, 3, 28, 12, tzinfo=BERLIN),
    ),
    Group(
        "at 02:30 daily",
        ("2026-10-25 02:30+0200", "2026-10-26 02:30+0100", "2026-10-27 02:30+0100"),
        ("每天02:30", "daily at 02:30"),
        zone=BERLIN,
        now=datetime(2026, 10, 24, 12, tzinfo=BERLIN),
    ),
)

ROWS = [pytest.param(group, phrase, id=phrase) for group in GROUPS for phrase in group.phrases]
CHINESE = re.compile("[\u4e00-\u9fff]")


def local(instant: datetime, group: Group) -> str:
    """A fire on the shop's wall clock; with its offset in the DST groups."""
    shown = instant.astimezone(group.zone)
    return f"{shown:%Y-%m-%d %H:%M%z}" if group.zone is not SHANGHAI else f"{shown:%Y-%m-%d %H:%M}"


def test_the_corpus_is_big_and_mostly_chinese() -> None:
    phrases = [phrase for group in GROUPS for phrase in group.phrases]
    chinese = [phrase for phrase in phrases if CHINESE.search(phrase)]
    assert len(phrases) >= 300 and len(chinese) >= 200, (len(phrases), len(chinese))
    dst = [phrase for group in GROUPS if group.zone is not SHANGHAI for phrase in group.phrases]
    assert len(dst) >= 10


@pytest.mark.parametrize(("group", "phrase"), ROWS)
def test_each_phrase_means_what_the_team_means(group: Group, phrase: str) -> None:
    reading = read_schedule(f"{phrase} x", group.now, group.zone)
    assert meaning(reading.rule, group.zone) == group.meaning
    assert reading.text == "x"
    wanted = len(group.fires) if isinstance(reading.rule, Once) else 3
    fires = next_fires(reading.rule, group.now, group.zone, count=wanted)
    assert tuple(local(fire, group) for fire in fires) == group.fires
    assert reading.needs_confirmation == group.ask, [c.message for c in reading.concerns]
