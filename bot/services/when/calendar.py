"""Which days the shop works: China's official calendar, make-up working days (调休) included, plus the
shop's own changes.

The `holidays` package keeps China's public holidays and, in `weekend_workdays`, the weekends that are
working days because a holiday was moved (e.g. Sunday 2026-01-04). A year it has no official schedule for
yet falls back to its statutory holidays without make-up days.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from holidays import HolidayBase, country_holidays

LANGUAGES = {"en": "en_US", "zh_CN": "zh_CN"}
"""The languages `holidays` names China's holidays in, by the bot's locales."""


@functools.cache
def _china(year: int, language: str = "en_US") -> HolidayBase:
    """China's public holidays and make-up working days of one year, loaded once per process."""
    return country_holidays("CN", years=year, language=language)


def official_working_day(day: date) -> bool:
    """Whether China's calendar makes a date a working day (weekdays not on holiday, make-up weekends)."""
    calendar = _china(day.year)
    if day.weekday() >= 5:
        return day in calendar.weekend_workdays
    return day not in calendar


def holiday_name(day: date, locale: str = "en") -> str | None:
    """The official holiday a date belongs to, in the reader's language (as `holidays` names it), or None."""
    name = _china(day.year, LANGUAGES.get(locale, LANGUAGES["en"])).get(day)
    return None if name is None else str(name)


def make_up_days(year: int) -> list[date]:
    """The weekends of a year that China makes working days (调休上班), in order."""
    return sorted(day for day in _china(year).weekend_workdays if day.year == year)


@dataclass(frozen=True)
class ShopCalendar:
    """China's calendar with the shop's own days off and extra working days, which win over it."""

    extra_off: frozenset[date] = frozenset()
    extra_work: frozenset[date] = frozenset()

    def works(self, day: date) -> bool:
        """Whether the shop works on a date."""
        if day in self.extra_off:
            return False
        return day in self.extra_work or official_working_day(day)


CHINA = ShopCalendar()
"""The official calendar alone, for shops that changed nothing."""
