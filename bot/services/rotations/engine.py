"""Rotations: who serves in which group at an instant, handing off every period at a local wall time.

Pure functions, no database and no Telegram, so any rota can use them (review groups are the first).
During period k member i serves in group (i + k) mod g: over g consecutive periods (one cycle) everybody
serves every group exactly once, and group sizes never differ by more than one.

Handoff k happens on start + k periods (months keep the day of the month, clamped to the month's end) at
the handoff wall time in the rota's zone; a handoff falling on a skipped date moves to the next date that is
not skipped. A wall time that DST skips hands off after the gap; one that happens twice hands off at the
first. Overrides (A takes B's place from one date to another, inclusive, local dates) are applied over the
period's assignment in the order they were added; A leaves wherever A was, so nobody is ever in two groups.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS, WEEKS, DAYS = "m", "w", "d"
UNIT_LIMITS = {MONTHS: 24, WEEKS: 104, DAYS: 732}
"""The longest period per unit: two years, anything longer is surely a typo."""
MAX_SKIPS = 366
MAX_OVERRIDES = 200


@dataclass(frozen=True)
class Period:
    """How long each assignment lasts: `count` months, weeks or days."""

    count: int
    unit: str

    def __post_init__(self) -> None:
        """Only periods the parser can produce exist, so every rule has a next handoff."""
        if self.unit not in UNIT_LIMITS:
            raise ValueError(f"Period.unit must be one of {sorted(UNIT_LIMITS)}, not {self.unit!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int):
            raise ValueError(f"Period.count must be an int, not {self.count!r}")
        if not 1 <= self.count <= UNIT_LIMITS[self.unit]:
            raise ValueError(f"Period.count must be 1–{UNIT_LIMITS[self.unit]}, not {self.count}")

    @property
    def code(self) -> str:
        """`1m`, `6w`, `10d`: how the period is stored and shown."""
        return f"{self.count}{self.unit}"

    def boundary(self, start: date, k: int) -> date:
        """The nominal first day of period k."""
        if self.unit == MONTHS:
            months = start.month - 1 + k * self.count
            year, month = start.year + months // 12, months % 12 + 1
            return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        days = self.count * (7 if self.unit == WEEKS else 1)
        return start + timedelta(days=k * days)

    def periods_between(self, start: date, day: date) -> int:
        """A guess at the period containing `day`; callers correct it against the real handoffs."""
        if self.unit == MONTHS:
            return ((day.year - start.year) * 12 + day.month - start.month) // self.count
        return (day - start).days // (self.count * (7 if self.unit == WEEKS else 1))


@dataclass(frozen=True)
class Override:
    """`substitute` takes `absent`'s place from `first` to `last` (local dates, both included)."""

    substitute: int
    absent: int
    first: date
    last: date

    def __post_init__(self) -> None:
        """Nobody stands in for themselves, and a range runs forwards."""
        if self.substitute == self.absent:
            raise ValueError("an override needs two different people")
        if self.last < self.first:
            raise ValueError("an override must end on or after its first day")

    def covers(self, day: date) -> bool:
        """Whether the override is in force on a local date."""
        return self.first <= day <= self.last


@dataclass(frozen=True)
class RotationRule:
    """Members rotating through groups: the order, the period, the first handoff, overrides and skips."""

    members: tuple[int, ...]
    groups: tuple[str, ...]
    period: Period
    start: date
    at: time
    zone: str
    overrides: tuple[Override, ...] = ()
    skips: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        """A rule the scheduler can always compute: members and groups present and unique, a real zone."""
        if not self.members or len(set(self.members)) != len(self.members):
            raise ValueError("a rotation needs at least one member, each listed once")
        if not self.groups or len(set(self.groups)) != len(self.groups):
            raise ValueError("a rotation needs at least one group, each named once")
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise ValueError(f"the handoff time must be a whole minute without tzinfo, not {self.at!r}")
        ZoneInfo(self.zone)
        if len(self.skips) > MAX_SKIPS or len(self.overrides) > MAX_OVERRIDES:
            raise ValueError("too many skipped dates or overrides")
        object.__setattr__(self, "skips", frozenset(self.skips))

    @property
    def tz(self) -> ZoneInfo:
        """The zone handoff times are read in."""
        return ZoneInfo(self.zone)


def handoff_day(rule: RotationRule, k: int) -> date:
    """The local date of handoff k: its nominal day, or the first later day that is not skipped."""
    day = rule.period.boundary(rule.start, k)
    while day in rule.skips:
        day += timedelta(days=1)
    return day


def handoff(rule: RotationRule, k: int) -> datetime:
    """The instant (UTC) of handoff k; DST gaps shift it forward, a repeated hour takes the first."""
    return datetime.combine(handoff_day(rule, k), rule.at, tzinfo=rule.tz).astimezone(UTC)


def period_index(rule: RotationRule, at: datetime) -> int:
    """The period in force at an instant: the last handoff at or before it (0 before the first one)."""
    k = max(0, rule.period.periods_between(rule.start, at.astimezone(rule.tz).date()))
    while handoff(rule, k + 1) <= at:
        k += 1
    while k > 0 and handoff(rule, k) > at:
        k -= 1
    return k


def next_handoff(rule: RotationRule, after: datetime) -> tuple[int, datetime]:
    """The first handoff strictly after an instant, with its period number."""
    k = period_index(rule, after)
    while handoff(rule, k) <= after:
        k += 1
    return k, handoff(rule, k)


def base_assignment(rule: RotationRule, k: int) -> dict[str, list[int]]:
    """Period k's groups before overrides: member i in group (i + k) mod g, members in listed order."""
    groups: dict[str, list[int]] = {name: [] for name in rule.groups}
    for i, member in enumerate(rule.members):
        groups[rule.groups[(i + k) % len(rule.groups)]].append(member)
    return groups


def apply_overrides(rule: RotationRule, groups: dict[str, list[int]], day: date) -> dict[str, list[int]]:
    """The overrides in force on a local date, in the order added: A takes B's seat and leaves A's own."""
    result = {name: list(members) for name, members in groups.items()}
    for override in rule.overrides:
        if not override.covers(day):
            continue
        home = next((name for name, members in result.items() if override.absent in members), None)
        if home is None:
            continue
        for members in result.values():
            if override.substitute in members:
                members.remove(override.substitute)
        seats = result[home]
        seats[seats.index(override.absent)] = override.substitute
    return result


def assignment(rule: RotationRule, at: datetime) -> dict[str, list[int]]:
    """Who serves in which group at an instant: the period's rotation with the day's overrides applied."""
    day = at.astimezone(rule.tz).date()
    return apply_overrides(rule, base_assignment(rule, period_index(rule, at)), day)


def group_of(rule: RotationRule, member: int, at: datetime) -> str | None:
    """The group a person serves in at an instant, if any."""
    return next((name for name, members in assignment(rule, at).items() if member in members), None)


def to_json(rule: RotationRule) -> dict[str, object]:
    """A rule as plain JSON, so it survives restarts."""
    return {
        "members": list(rule.members),
        "groups": list(rule.groups),
        "period": rule.period.code,
        "start": rule.start.isoformat(),
        "at": rule.at.strftime("%H:%M"),
        "zone": rule.zone,
        "overrides": [
            [o.substitute, o.absent, o.first.isoformat(), o.last.isoformat()] for o in rule.overrides
        ],
        "skips": sorted(day.isoformat() for day in rule.skips),
    }


def from_json(data: dict[str, object]) -> RotationRule:
    """A rule back from to_json's output; anything else raises ValueError."""
    try:
        period = str(data["period"])
        overrides = data.get("overrides") or []
        skips = data.get("skips") or []
        assert isinstance(overrides, list) and isinstance(skips, list)
        assert isinstance(data["members"], list) and isinstance(data["groups"], list)
        return RotationRule(
            members=tuple(int(m) for m in data["members"]),
            groups=tuple(str(g) for g in data["groups"]),
            period=Period(int(period[:-1]), period[-1]),
            start=date.fromisoformat(str(data["start"])),
            at=time.fromisoformat(str(data["at"])),
            zone=str(data["zone"]),
            overrides=tuple(
                Override(int(a), int(b), date.fromisoformat(str(f)), date.fromisoformat(str(t)))
                for a, b, f, t in overrides
            ),
            skips=frozenset(date.fromisoformat(str(day)) for day in skips),
        )
    except (KeyError, TypeError, AssertionError) as exc:
        raise ValueError(f"not a stored rotation: {data!r}") from exc
