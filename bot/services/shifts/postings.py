"""Shift reminders as a few daily schedules per shift type; the roster is read when they fire, not copied.

Each shift type has, per season it has hours for, one schedule at its start (with the personal reminder as
the heads-up before it) and one at its end. A schedule whose season does not hold on a day posts nothing
that day, so summer and winter hours switch on their own and a roster change needs no schedule change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.enums import ScheduleKind
from bot.models import Occurrence, Schedule, ShiftType
from bot.services.scheduling import schedules
from bot.services.shifts import roster as shifts
from bot.services.when import Reading, Recurring, span

SHIFT = ScheduleKind.SHIFT
START, END = "start", "end"
LIVE = (schedules.ACTIVE, schedules.PAUSED)


@dataclass(frozen=True, slots=True)
class Ref:
    """What a shift schedule is for: which type, which season, start or end."""

    type_id: int
    season: str
    event: str

    def __str__(self) -> str:
        """The schedule's `ref` column."""
        return f"{SHIFT}:{self.type_id}:{self.season}:{self.event}"

    @classmethod
    def parse(cls, ref: str | None) -> Ref:
        """A stored ref back."""
        _, type_id, season, event = (ref or "").split(":")
        return cls(int(type_id), season, event)


def wall(minutes: int) -> time:
    """A minute of the day as a wall time (24:00 fires at the next midnight)."""
    return time((minutes // 60) % 24, minutes % 60)


def parsed_for(shift_type: ShiftType, season: str, event: str) -> Reading:
    """The daily rule of one schedule: at the shift's start (heads-up = the reminder) or end."""
    start, end = shifts.hours_in(shift_type, season)
    lead = (
        timedelta(minutes=shift_type.remind_minutes) if event == START and shift_type.remind_minutes else None
    )
    text = f"{shift_type.name} {span((start, end))} {season} {event}"
    return Reading(Recurring(wall(start if event == START else end)), text, lead)


async def running() -> bool:
    """Whether shift postings were started (the first roster entry starts them)."""
    return await Schedule.exists(kind=SHIFT, state__in=LIVE)


async def ensure(*, chat_id: int, owner_id: int, zone: ZoneInfo, now: datetime) -> list[Schedule]:
    """Create the missing schedules of every shift type; returns the new ones, to be armed."""
    have = {
        str(ref) for ref in await Schedule.filter(kind=SHIFT, state__in=LIVE).values_list("ref", flat=True)
    }
    created = []
    for shift_type in await shifts.all_types():
        for season in shifts.seasons_of(shift_type):
            for event in (START, END):
                ref = Ref(shift_type.id, season, event)
                if str(ref) in have:
                    continue
                created.append(
                    await schedules.create(
                        kind=SHIFT,
                        chat_id=chat_id,
                        owner_id=owner_id,
                        parsed=parsed_for(shift_type, season, event),
                        zone=zone,
                        now=now,
                        ref=str(ref),
                        escalate_minutes=None,
                    )
                )
    return created


async def retire(shift_type: ShiftType, *, actor_id: int, now: datetime) -> list[Schedule]:
    """End a type's schedules after its hours changed; returns them, so their timers are removed."""
    found = await Schedule.filter(kind=SHIFT, state__in=LIVE, ref__startswith=f"{SHIFT}:{shift_type.id}:")
    return [await schedules.set_state(s, schedules.DELETED, actor_id=actor_id, now=now) for s in found]


async def refresh(
    shift_type: ShiftType, *, chat_id: int, actor_id: int, zone: ZoneInfo, now: datetime
) -> None:
    """After a type's hours changed: replace its schedules, if shift postings are running at all."""
    if not await running():
        return
    retired = await retire(shift_type, actor_id=actor_id, now=now)
    await ensure(chat_id=retired[0].chat_id if retired else chat_id, owner_id=actor_id, zone=zone, now=now)


def shift_day(schedule: Schedule, occurrence: Occurrence) -> date:
    """The local day of the shift an occurrence belongs to (a 24:00 end belongs to the day before)."""
    zone = schedules.zone_of(schedule)
    ref = Ref.parse(schedule.ref)
    at = occurrence.due_at
    if occurrence.kind == schedules.LEAD:
        at += timedelta(minutes=schedule.lead_minutes or 0)
    if ref.event == END:
        at -= timedelta(minutes=1)
    return at.astimezone(zone).date()
