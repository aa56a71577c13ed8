"""When a rule fires, in UTC, from wall times in the shop's zone, across DST and the working-day calendar.

DST policy (the same as the alarms always had):
- Recurring: a wall time in a spring-forward gap fires shifted forward by the gap (02:30 → 03:30 in New
  York); an ambiguous wall time (fall back) fires once, at its first (fold=0) instant.
- Windowed Interval: wall-clock slots start + k*minutes; a slot that does not exist is skipped (shifting it
  would land on, or between, real slots), an ambiguous slot fires once at its first instant.
- Unbounded Interval: fires at every instant whose local reading is midnight + k*minutes, in the offset in
  force at that instant; so through a fall-back hour it keeps its pace and fires at both readings.
The day of a fire is the local date of its wall slot; `on` chooses which local dates fire.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.when.calendar import CHINA, ShopCalendar
from bot.services.when.rules import (
    LAST,
    Days,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Recurring,
    Rule,
    Weekdays,
    monday_of,
)

HORIZON = 400
"""Days searched for a next fire: every rule fires within a year (a 52-week cycle, a 31st of a month)."""
LOOK_BACK = timedelta(hours=3)
"""How far a wall slot can read before its instant: more than any real zone's DST shift."""


def utc(moment: datetime) -> datetime:
    """An aware instant in UTC; a naive one is a programming error, not something to guess about."""
    if moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _offsets(wall: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The UTC offsets a naive wall time reads with fold=0 and fold=1 (equal unless DST touches it)."""
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    assert first is not None and second is not None
    return first, second


def _instant(wall: datetime, offset: timedelta) -> datetime:
    """The UTC instant of a naive wall time read with an offset."""
    return (wall - offset).replace(tzinfo=UTC)


def shifted(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant of a naive wall time: the first when ambiguous, shifted forward by the gap when skipped."""
    return _instant(wall, _offsets(wall, zone)[0])


def chosen(on: Days, day: date, calendar: ShopCalendar) -> bool:
    """Whether a local date is one of the days a rule fires on."""
    if isinstance(on, Weekdays):
        return day.weekday() in on.days
    if isinstance(on, EveryWeeks):
        weeks = (monday_of(day) - on.anchor).days // 7
        return day.weekday() in on.days and weeks % on.weeks == 0
    if isinstance(on, MonthDays):
        if on.day == LAST:
            return (day + timedelta(days=1)).month != day.month
        return day.day == on.day
    return calendar.works(day)


def _slot_instants(rule: Interval | Recurring, wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """The instants one wall slot fires at, by the DST policy."""
    before, after = _offsets(wall, zone)
    if isinstance(rule, Recurring) or before == after:
        return [_instant(wall, before)]
    if before < after:  # a gap (PEP 495: fold=0 reads the old offset): only a Recurring time shifts
        return []
    if rule.start is not None:
        return [_instant(wall, before)]
    return [_instant(wall, before), _instant(wall, after)]


def _walls(rule: Interval | Recurring, day: date, since: datetime) -> Iterator[datetime]:
    """The wall slots of one local date at or after the naive wall time `since`, in order."""
    if isinstance(rule, Recurring):
        wall = datetime.combine(day, rule.at)
        if wall >= since:
            yield wall
        return
    step = timedelta(minutes=rule.minutes)
    wall = datetime.combine(day, rule.start or time())
    limit = datetime.combine(day, rule.end) if rule.end is not None else None
    if since > wall:
        wall += -(-(since - wall) // step) * step
    while wall.date() == day and (limit is None or wall <= limit):
        yield wall
        wall += step


def _steady(after: datetime, zone: ZoneInfo) -> bool:
    """Whether the zone keeps one offset from a day before `after` to two days after it (no DST near)."""
    return (after - timedelta(days=1)).astimezone(zone).utcoffset() == (after + timedelta(days=2)).astimezone(
        zone
    ).utcoffset()


def _first_on(
    rule: Interval | Recurring, day: date, since: datetime, after: datetime, zone: ZoneInfo, margin: timedelta
) -> datetime | None:
    """The earliest fire after `after` among one date's slots from `since`, reading `margin` past the
    first found (only near a DST change can a later slot fire earlier)."""
    found: datetime | None = None
    found_wall = since
    for wall in _walls(rule, day, since):
        if found is not None and wall > found_wall + margin:
            break
        later = [moment for moment in _slot_instants(rule, wall, zone) if moment > after]
        if later and (found is None or min(later) < found):
            found, found_wall = min(later), wall
    return found


def next_after(
    rule: Rule, after: datetime, zone: ZoneInfo, calendar: ShopCalendar = CHINA
) -> datetime | None:
    """The first fire strictly after `after` (aware, answered in UTC), so fires chain without repeats."""
    after = utc(after)
    if isinstance(rule, Once):
        return rule.at if rule.at > after else None
    margin = timedelta() if _steady(after, zone) else LOOK_BACK
    since = after.astimezone(zone).replace(tzinfo=None) - margin
    found: datetime | None = None
    for offset in range(HORIZON):
        day = since.date() + timedelta(days=offset)
        if not chosen(rule.on, day, calendar):
            continue
        here = _first_on(rule, day, since, after, zone, margin)
        if found is not None:  # near a DST change the next chosen day may still hold an earlier fire
            return min(found, here) if here is not None else found
        found = here
        if found is not None and not margin:
            return found
    return found


def occurrences(
    rule: Rule, start: datetime, end: datetime, zone: ZoneInfo, calendar: ShopCalendar = CHINA
) -> list[datetime]:
    """All fires in (start, end], chained through next_after so both always agree."""
    found: list[datetime] = []
    moment, end = utc(start), utc(end)
    while (following := next_after(rule, moment, zone, calendar)) is not None and following <= end:
        found.append(following)
        moment = following
    return found


def next_fires(
    rule: Rule, after: datetime, zone: ZoneInfo, calendar: ShopCalendar = CHINA, count: int = 3
) -> list[datetime]:
    """Up to `count` next fires, for a confirmation that shows when an alarm will ring."""
    found: list[datetime] = []
    moment = utc(after)
    while len(found) < count and (following := next_after(rule, moment, zone, calendar)) is not None:
        found.append(following)
        moment = following
    return found
