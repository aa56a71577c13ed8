"""Arming the review groups' handoffs: one one-off schedule for the next handoff, re-armed after each change.

Each handoff is a one-off `Schedule` of kind "rotation" (jobs/rotation_posts.py posts it); posting it arms the
next one. A change of members or period re-arms it, and so does the start-up check, so a handoff reported as
missed while the bot was down does not end the chain.
"""

from __future__ import annotations

from datetime import datetime

from bot.enums import ChatPurpose, ScheduleKind
from bot.models import Rotation, Schedule
from bot.services.rotations import engine as rota
from bot.services.rotations import review_groups
from bot.services.scheduling import schedules
from bot.services.team import chats
from bot.services.when import Once, Reading

KIND = ScheduleKind.ROTATION
REF = f"rotation:{review_groups.NAME}"
TEXT = "🔄 /rotation"
"""What /alarms and a missed-postings report show for a handoff: the command that shows the groups."""


async def review_chats() -> list[int]:
    """The registered review groups' chats."""
    return [chat.id for chat in await chats.registered() if chat.purpose == ChatPurpose.REVIEW]


async def home_chat(fallback: int | None) -> int | None:
    """Where handoffs are armed: the review chat, else the fallback, else the previous handoff's chat."""
    found = await review_chats()
    if found:
        return found[0]
    if fallback is not None:
        return fallback
    last = await Schedule.filter(kind=KIND, ref=REF).order_by("-id").first()
    return last.chat_id if last else None


async def plan_next(
    rule: rota.RotationRule, chat_id: int, now: datetime, after: datetime | None = None
) -> None:
    """Arm the first handoff after now (or after the one just posted, even if the bot is late for it)."""
    moment = after or now
    _, due = rota.next_handoff(rule, moment)
    if await Schedule.exists(kind=KIND, ref=REF, state=schedules.ACTIVE, next_due_at=due):
        return
    owner = await Rotation.filter(name=review_groups.NAME).first().values_list("updated_by", flat=True)
    await schedules.create(
        kind=KIND,
        chat_id=chat_id,
        owner_id=int(str(owner or 0)),
        parsed=Reading(Once(due), TEXT),
        zone=rule.tz,
        now=moment,
        ref=REF,
        escalate_minutes=None,
    )


async def rearm(*, actor_id: int, fallback_chat: int, now: datetime) -> None:
    """After a change of the rotation: drop the armed handoff and arm the one the new rule says."""
    rule = await review_groups.current()
    chat_id = await home_chat(fallback_chat)
    for schedule in await Schedule.filter(kind=KIND, ref=REF, state=schedules.ACTIVE):
        await schedules.set_state(schedule, schedules.DELETED, actor_id=actor_id, now=now)
    if rule is not None and chat_id is not None:
        await plan_next(rule, chat_id, now)


async def ensure(now: datetime, fallback_chat: int | None = None) -> None:
    """Make sure the next handoff is armed (at start, and whenever somebody looks at the rotation)."""
    rule = await review_groups.current()
    if rule is None or await Schedule.exists(kind=KIND, ref=REF, state=schedules.ACTIVE):
        return
    chat_id = await home_chat(fallback_chat)
    if chat_id is not None:
        await plan_next(rule, chat_id, now)
