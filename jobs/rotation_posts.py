"""Posting the review groups at each handoff: to the review chat and to each person in private, once each.

Each handoff is a one-off `Schedule` of kind "rotation" fired by the engine (which claims it exactly once);
posting it arms the next one. A change of members or period re-arms it, and so does the start-up check,
so a handoff the engine reported as missed while the bot was down does not end the chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from telegram import Message
from telegram.ext import ContextTypes

from bot.enums import ChatPurpose
from bot.models import Occurrence, Rotation, RotationDelivery, Schedule
from bot.services.rotations import engine as rota
from bot.services.rotations import review_groups
from bot.services.rotations import text as rt
from bot.services.scheduling import schedules, timespec
from bot.services.team import chats
from jobs.alarms import App, bulk, chat_translator, now, plan, register_poster, send_once

KIND = "rotation"
REF = f"rotation:{review_groups.NAME}"
TEXT = "🔄 /rotation"
"""What /alarms and a missed-postings report show for a handoff: the command that shows the groups."""
SENT, FAILED = "sent", "failed"


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


async def plan_next(app: App, rule: rota.RotationRule, chat_id: int, after: datetime | None = None) -> None:
    """Arm the first handoff after now (or after the one just posted, even if the bot is late for it)."""
    moment = after or now()
    _, due = rota.next_handoff(rule, moment)
    if await Schedule.exists(kind=KIND, ref=REF, state=schedules.ACTIVE, next_due_at=due):
        return
    owner = await Rotation.filter(name=review_groups.NAME).first().values_list("updated_by", flat=True)
    schedule = await schedules.create(
        kind=KIND,
        chat_id=chat_id,
        owner_id=int(str(owner or 0)),
        parsed=timespec.Parsed(timespec.Once(due), TEXT, None),
        zone=rule.tz,
        now=moment,
        ref=REF,
        escalate_minutes=None,
    )
    plan(app, schedule)


async def rearm(app: App, *, actor_id: int, fallback_chat: int) -> None:
    """After a change of the rotation: drop the armed handoff and arm the one the new rule says."""
    rule = await review_groups.current()
    chat_id = await home_chat(fallback_chat)
    for schedule in await Schedule.filter(kind=KIND, ref=REF, state=schedules.ACTIVE):
        await schedules.set_state(schedule, schedules.DELETED, actor_id=actor_id, now=now())
        plan(app, schedule)
    if rule is not None and chat_id is not None:
        await plan_next(app, rule, chat_id)


async def ensure(app: App, fallback_chat: int | None = None) -> None:
    """Make sure the next handoff is armed (at start, and whenever somebody looks at the rotation)."""
    rule = await review_groups.current()
    if rule is None or await Schedule.exists(kind=KIND, ref=REF, state=schedules.ACTIVE):
        return
    chat_id = await home_chat(fallback_chat)
    if chat_id is not None:
        await plan_next(app, rule, chat_id)


async def ensure_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Timer callback at start-up, after the engine resumed: arm the next handoff if none is."""
    await ensure(context.application)


def arm_at_start(app: App) -> None:
    """Run the start-up check once the JobQueue starts (after the database is open and schedules resumed)."""
    app.job_queue.run_once(  # type: ignore[union-attr]
        ensure_job, when=0, name="rotation:ensure", job_kwargs={"misfire_grace_time": None}
    )


async def recipients(rule: rota.RotationRule, due: datetime) -> tuple[list[int], list[int]]:
    """The chats that get the overview and the people told their own group (members and stand-ins)."""
    serving = [m for members in rota.assignment(rule, due).values() for m in members]
    people = list(dict.fromkeys([*rule.members, *serving]))
    return await review_chats(), people


async def post_handoff(
    app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta
) -> timedelta | None:
    """Post the new groups to the review chat and tell each person in private; each recipient once."""
    rule = await review_groups.current()
    if rule is None:
        await schedules.mark_sent(occurrence, None, now())
        return None
    due = occurrence.due_at
    groups_chats, people = await recipients(rule, due)
    groups_chats = groups_chats or [schedule.chat_id]
    names = await rt.names_of(rt.people_in(rule) | set(people))
    first_message: int | None = None
    for recipient in [*groups_chats, *people]:
        done = await RotationDelivery.get_or_none(occurrence_id=occurrence.id, recipient=recipient)
        if done is None:
            t = await chat_translator(app, recipient)
            text = (
                rt.handoff_post(t, rule, names, due, int(late.total_seconds() // 60))
                if recipient in groups_chats
                else rt.personal_post(t, rule, recipient, due)
            )
            wait = await send_once(
                app,
                f"rotation handoff to {recipient}",
                partial(app.bot.send_message, recipient, text, **bulk(app)),
                partial(record, occurrence, recipient),
                partial(refused, occurrence, recipient),
            )
            if wait is not None:
                return wait
            done = await RotationDelivery.get(occurrence_id=occurrence.id, recipient=recipient)
        first_message = first_message or done.message_id
    await schedules.mark_sent(occurrence, first_message, now())
    await plan_next(app, rule, schedule.chat_id, after=due)
    return None


async def record(occurrence: Occurrence, recipient: int, message: Message) -> None:
    """A recipient's copy delivered: never sent again."""
    await RotationDelivery.create(
        occurrence_id=occurrence.id, recipient=recipient, state=SENT, message_id=message.message_id
    )


async def refused(occurrence: Occurrence, recipient: int, reason: str) -> None:
    """Someone who blocked the bot or never started it: recorded as failed and skipped from now on."""
    await RotationDelivery.create(occurrence_id=occurrence.id, recipient=recipient, state=FAILED)


register_poster(KIND, post_handoff)
