"""The morning follow-up posting: one daily schedule (created with the first follow-up), at 09:00 when
the day shift starts; its missed postings are reported in the chat where follow-ups began."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.enums import ScheduleKind
from bot.models import Schedule
from bot.services.scheduling import schedules
from bot.services.when import EVERY_DAY, Reading, Recurring

MORNING_AT = time(9, 0)
KIND = ScheduleKind.FOLLOWUP
LIVE = (schedules.ACTIVE, schedules.PAUSED)


async def ensure(*, chat_id: int, owner_id: int, zone: ZoneInfo, now: datetime) -> None:
    """One live morning schedule: created the first time a follow-up is opened, never twice."""
    if await Schedule.exists(kind=KIND, state__in=LIVE):
        return
    await schedules.create(
        kind=KIND,
        chat_id=chat_id,
        owner_id=owner_id,
        parsed=Reading(Recurring(MORNING_AT, EVERY_DAY), "follow-ups", None),
        zone=zone,
        now=now,
        escalate_minutes=None,
    )
