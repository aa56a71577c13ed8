"""A rule in words, in the reader's language, so people can check what they set:
`every 30 minutes from 09:00 to 18:00`, `每个工作日 09:00`, `每2周的周三 10:00`, `once on Sat 5 Dec 10:00`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.services.when.display import format_clock, format_moment, weekday_names
from bot.services.when.rules import (
    ALL_DAYS,
    LAST,
    WEEKEND,
    Days,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Rule,
    Weekdays,
)


def describe_days(on: Days, t: Translator) -> str:
    """Which days a rule fires on: every day, every working day, every Mon, Wed, every 2 weeks on Wed."""
    if isinstance(on, Weekdays | EveryWeeks):
        names = weekday_names(t.locale)
        days = t.join(names[day] for day in sorted(on.days))
        if isinstance(on, EveryWeeks):
            return t(N_("every {n} weeks on {days}"), n=on.weeks, days=days)
        if on.days == ALL_DAYS:
            return t(N_("every day"))
        if on.days == WEEKEND:
            return t(N_("every weekend"))
        return t(N_("every {days}"), days=days)
    if isinstance(on, MonthDays):
        if on.day == LAST:
            return t(N_("on the last day of every month"))
        return t(N_("on day {n} of every month"), n=on.day)
    return t(N_("every working day"))


def describe_every(minutes: int, t: Translator) -> str:
    """How often an interval fires: every 30 minutes, every 2 hours."""
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return t.ngettext("every {n} hour", "every {n} hours", hours)
    return t.ngettext("every {n} minute", "every {n} minutes", minutes)


def describe(rule: Rule, t: Translator, zone: ZoneInfo, now: datetime | None = None) -> str:
    """The rule in the reader's language; a one-off shows its date with the weekday."""
    if isinstance(rule, Once):
        return t(N_("once on {when}"), when=format_moment(rule.at, zone, t.locale, now))
    if isinstance(rule, Interval):
        every = describe_every(rule.minutes, t)
        if rule.start is not None and rule.end is not None:
            start, end = format_clock(rule.start, t.locale), format_clock(rule.end, t.locale)
            every = t(N_("{every} from {start} to {end}"), every=every, start=start, end=end)
        if rule.on == Weekdays(ALL_DAYS):
            return every
        return t(N_("{every}, {days}"), every=every, days=describe_days(rule.on, t))
    return t(N_("{days} at {time}"), days=describe_days(rule.on, t), time=format_clock(rule.at, t.locale))
