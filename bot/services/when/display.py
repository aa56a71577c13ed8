"""Dates and times shown the way each language writes them, always with the weekday, so a confirmation
can be checked at a glance: `12月5日 周六 10:00`, `Sat 5 Dec 10:00`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta, get_day_names

from bot.i18n import N_, Translator
from bot.services.when.days import Period

DAY = {"en": "EEE d MMM", "zh_CN": "M月d日 EEE"}
DAY_WITH_YEAR = {"en": "EEE d MMM y", "zh_CN": "y年M月d日 EEE"}
MONTH = {"en": "MMMM y", "zh_CN": "y年M月"}
CLOCK = "HH:mm"
NEAR_DAYS = {-1: N_("yesterday"), 0: N_("today"), 1: N_("tomorrow")}


def format_day(day: date, locale: str, today: date | None = None) -> str:
    """A date with its weekday; the year only when it is not this year's."""
    with_year = today is not None and day.year != today.year
    patterns = DAY_WITH_YEAR if with_year else DAY
    return str(format_date(day, patterns.get(locale, patterns["en"]), locale=locale))


def format_days(first: date, last: date, locale: str, today: date | None = None) -> str:
    """A stretch of days: one day, a whole month (`December 2026`, `2026年12月`), or first – last."""
    if first == last:
        return format_day(first, locale, today)
    if (
        first.day == 1
        and (last + timedelta(days=1)).day == 1
        and (first.year, first.month)
        == (
            last.year,
            last.month,
        )
    ):
        return str(format_date(first, MONTH.get(locale, MONTH["en"]), locale=locale))
    return f"{format_day(first, locale, today)} – {format_day(last, locale, today)}"


def format_period(period: Period, locale: str) -> str:
    """A report period as people say it: `Mon 7 Dec – Sun 13 Dec`, `December 2026`, one day."""
    return format_days(period.first, period.stop - timedelta(days=1), locale)


def format_clock(value: time | datetime, locale: str) -> str:
    """A wall time, 24-hour: 09:30."""
    return str(format_time(value, CLOCK, locale=locale))


def format_moment(moment: datetime, zone: ZoneInfo, locale: str, now: datetime | None = None) -> str:
    """An instant on the shop's wall: date with weekday, then the time (`12月5日 周六 10:00`)."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date() if now is not None else None
    return f"{format_day(local.date(), locale, today)} {format_clock(local, locale)}"


def weekday_names(locale: str) -> list[str]:
    """Short weekday names, Monday first (Mon…Sun, 周一…周日)."""
    names = get_day_names("abbreviated", locale=locale)
    return [str(names[day]) for day in range(7)]


def relative_day(moment: datetime, now: datetime, zone: ZoneInfo, t: Translator) -> str:
    """How far a moment's day is from today: today, tomorrow, yesterday, in 3 days, 2 days ago."""
    days = (moment.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days in NEAR_DAYS:
        return t(NEAR_DAYS[days])
    return str(format_timedelta(timedelta(days=days), granularity="day", add_direction=True, locale=t.locale))
