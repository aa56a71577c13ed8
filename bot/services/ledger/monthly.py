"""The 1st of the month: the previous month's ledger to the team chat (totals) and finance's chat (a file).

One schedule per registered team or finance chat, kept in step at start and when a group is set up, like the
digests; the engine posts each once and lists a posting missed during downtime.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.enums import ChatPurpose, ScheduleKind
from bot.i18n import N_
from bot.models import Schedule
from bot.services.scheduling import schedules
from bot.services.team import chats
from bot.services.when import MonthDays, Reading, Recurring

KIND = ScheduleKind.LEDGER
POSTED_AT = Recurring(time(9, 0), MonthDays(1))
"""09:00 on the 1st: the month is closed and the team is at work."""
PURPOSES = frozenset({ChatPurpose.TEAM, ChatPurpose.FINANCE})
LABEL = N_("Monthly ledger of fines and rewards (type /ledger last month to see it)")
LIVE = (schedules.ACTIVE, schedules.PAUSED)


async def ensure(
    chat_id: int, purpose: ChatPurpose | None, *, actor_id: int, zone: ZoneInfo, now: datetime
) -> None:
    """A team or finance chat gets the monthly posting once; a chat that is no longer one loses it."""
    live = await Schedule.filter(kind=KIND, chat_id=chat_id, state__in=LIVE).order_by("id")
    keep = purpose in PURPOSES
    for extra in live[1:] if keep else live:
        await schedules.set_state(extra, schedules.DELETED, actor_id=actor_id, now=now)
    if keep and not live:
        await schedules.create(
            kind=KIND,
            chat_id=chat_id,
            owner_id=actor_id,
            parsed=Reading(POSTED_AT, "ledger"),
            zone=zone,
            now=now,
            escalate_minutes=None,
        )


async def ensure_registered(*, actor_id: int, zone: ZoneInfo, now: datetime) -> None:
    """At start: every registered chat has the monthly posting it should have, and no other."""
    wanted = {chat.id: ChatPurpose(str(chat.purpose)) for chat in await chats.registered() if chat.purpose}
    scheduled = await Schedule.filter(kind=KIND, state__in=LIVE).values_list("chat_id", flat=True)
    for chat_id in {*wanted, *(int(str(found)) for found in scheduled)}:
        await ensure(chat_id, wanted.get(chat_id), actor_id=actor_id, zone=zone, now=now)
