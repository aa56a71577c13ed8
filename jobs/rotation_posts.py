"""Posting the review groups at each handoff: to the review chat and to each person in private, once each."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from telegram.ext import ContextTypes

from bot.models import Occurrence, Schedule
from bot.render.context import App, chat_translator
from bot.services.rotations import engine as rota
from bot.services.rotations import handoffs, review_groups
from bot.services.rotations import text as rt
from bot.services.scheduling import changes, deliveries, schedules
from jobs.engine import arm_all, bulk, now, send_delivery


async def ensure_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Timer callback at start-up, after the engine resumed: arm the next handoff if none is."""
    with changes.collecting() as changed:
        await handoffs.ensure(now())
    arm_all(context.application, changed)


def arm_at_start(app: App) -> None:
    """Run the start-up check once the JobQueue starts (after the database is open and schedules resumed)."""
    app.job_queue.run_once(  # type: ignore[union-attr]
        ensure_job, when=0, name="rotation:ensure", job_kwargs={"misfire_grace_time": None}
    )


async def recipients(rule: rota.RotationRule, due: datetime) -> tuple[list[int], list[int]]:
    """The chats that get the overview and the people told their own group (members and stand-ins)."""
    serving = [m for members in rota.assignment(rule, due).values() for m in members]
    people = list(dict.fromkeys([*rule.members, *serving]))
    return await handoffs.review_chats(), people


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
    for recipient in [*groups_chats, *people]:
        delivery = await deliveries.claim(occurrence, recipient, deliveries.COPY)
        if delivery is None:
            continue
        t = await chat_translator(app, recipient)
        text = (
            rt.handoff_post(t, rule, names, due, int(late.total_seconds() // 60))
            if recipient in groups_chats
            else rt.personal_post(t, rule, recipient, due)
        )
        wait = await send_delivery(app, delivery, partial(app.bot.send_message, recipient, text, **bulk(app)))
        if wait is not None:
            return wait
    sent = [d.message_id for d in await deliveries.of_occurrence(occurrence) if d.message_id is not None]
    await schedules.mark_sent(occurrence, sent[0] if sent else None, now())
    await handoffs.plan_next(rule, schedule.chat_id, now(), after=due)
    return None
