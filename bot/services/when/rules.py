"""What a schedule means once read: a one-off instant, an interval, or a time on chosen days.

Rules are plain frozen values: they compare, hash and serialise, and only sensible rules can be built, so the
scheduler never meets one without a next fire time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DAY_MINUTES = 24 * 60
ALL_DAYS = frozenset(range(7))
MON_TO_FRI = frozenset(range(5))
WEEKEND = frozenset({5, 6})
LAST = -1
"""MonthDays.day for the last day of every month."""
MAX_WEEKS = 52


def check_wall(value: time) -> None:
    """Wall times are whole minutes without a zone, so they serialise as HH:MM and mean the shop's clock."""
    if value.tzinfo is not None or value.second or value.microsecond:
        raise ValueError(f"a wall time must be a whole minute without tzinfo, not {value!r}")


def _weekday_set(days: frozenset[int], owner: str) -> frozenset[int]:
    """A non-empty set of weekday numbers (Monday = 0), refusing anything else."""
    found = frozenset(days)
    if not found or not found <= ALL_DAYS or any(isinstance(day, bool) for day in found):
        raise ValueError(f"{owner} must be a non-empty set of 0–6, not {days!r}")
    return found


def _whole(value: object, low: int, high: int, owner: str) -> None:
    """An int (not a bool) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{owner} must be an int {low}–{high}, not {value!r}")


# ------------------------------------------------------------------------------------------ which days


@dataclass(frozen=True)
class Weekdays:
    """Fixed days of the week (Monday = 0): every day is all seven."""

    days: frozenset[int]

    def __post_init__(self) -> None:
        """Only real weekdays."""
        object.__setattr__(self, "days", _weekday_set(self.days, "Weekdays.days"))


@dataclass(frozen=True)
class WorkingDays:
    """The days the shop works: China's working days (调休 included) with the shop's own days off."""


@dataclass(frozen=True)
class EveryWeeks:
    """Some weekdays of every `weeks`-th week, counted from the week starting on Monday `anchor`."""

    weeks: int
    days: frozenset[int]
    anchor: date

    def __post_init__(self) -> None:
        """Two weeks or more (one is Weekdays), real weekdays, a Monday to count from."""
        _whole(self.weeks, 2, MAX_WEEKS, "EveryWeeks.weeks")
        object.__setattr__(self, "days", _weekday_set(self.days, "EveryWeeks.days"))
        if self.anchor.weekday() != 0:
            raise ValueError(f"EveryWeeks.anchor must be a Monday, not {self.anchor}")


@dataclass(frozen=True)
class MonthDays:
    """One day of every month: 1–31 (months without it are skipped) or LAST for the last day."""

    day: int

    def __post_init__(self) -> None:
        """A day that some month has, or LAST."""
        if self.day != LAST:
            _whole(self.day, 1, 31, "MonthDays.day")


Days = Weekdays | WorkingDays | EveryWeeks | MonthDays
EVERY_DAY = Weekdays(ALL_DAYS)


# ------------------------------------------------------------------------------------------ the rules


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
    """Every `minutes` on the days `on`: all day (aligned to local midnight) or inside a daily window."""

    minutes: int
    start: time | None = None
    end: time | None = None
    on: Days = EVERY_DAY

    def __post_init__(self) -> None:
        """1 minute to 24 hours; a window has both ends, in order, on whole minutes."""
        _whole(self.minutes, 1, DAY_MINUTES, "Interval.minutes")
        if (self.start is None) != (self.end is None):
            raise ValueError("an Interval window needs both a start and an end")
        if self.start is not None and self.end is not None:
            check_wall(self.start)
            check_wall(self.end)
            if self.end <= self.start:
                raise ValueError("an Interval window must end after it starts")


@dataclass(frozen=True)
class Recurring:
    """At one wall time on the days `on` (every day, some weekdays, working days, every N weeks, monthly)."""

    at: time
    on: Days = EVERY_DAY

    def __post_init__(self) -> None:
        """Whole-minute wall times only."""
        check_wall(self.at)


Rule = Once | Interval | Recurring


def gap_minutes(rule: Interval | Recurring) -> int:
    """The shortest time between two fires of a repeating rule, so a heads-up can be kept shorter."""
    if isinstance(rule, Interval):
        return rule.minutes
    return gap_days(rule.on) * DAY_MINUTES


def gap_days(on: Days) -> int:
    """The fewest days between two chosen days."""
    if isinstance(on, Weekdays | EveryWeeks):
        cycle = 7 * (on.weeks if isinstance(on, EveryWeeks) else 1)
        days = sorted(on.days)
        following = [*days[1:], days[0] + cycle]
        return min(b - a for a, b in zip(days, following, strict=True)) if len(days) > 1 else cycle
    return 1 if isinstance(on, WorkingDays) else 28


def on_working_days(rule: Rule) -> bool:
    """Whether a rule follows the working-day calendar, so a change of the shop's days off re-plans it."""
    return not isinstance(rule, Once) and isinstance(rule.on, WorkingDays)


def monday_of(day: date) -> date:
    """The Monday of a date's week."""
    return day - timedelta(days=day.weekday())
