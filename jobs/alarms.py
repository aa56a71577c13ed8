"""Posting alarms, their snoozed copies and deadline watches, and escalating alarms nobody marked done."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.enums import ChatPurpose
from bot.i18n import Translator
from bot.models import Occurrence, Schedule
from bot.ratelimit import REPLY_RETRIES
from bot.render.context import App, chat_translator
from bot.render.keyboards import alarm_buttons, escalation_buttons
from bot.services.records import book as records
from bot.services.scheduling import schedules, watches
from bot.services.team import chats
from jobs.engine import bulk, mirrored, now, resending, send_claimed
from jobs.watch_posts import watch_post

log = logging.getLogger(__name__)


def posting_text(t: Translator, schedule: Schedule, kind: str, late: timedelta, again: bool = False) -> str:
    """What an occurrence says: the alarm, its heads-up, and how late it is when posted after a restart."""
    if kind == schedules.LEAD:
        return t("⏳ In {minutes} min: {text}", minutes=schedule.lead_minutes, text=schedule.text)
    lines = [t("⏰ {text}", text=schedule.text)]
    minutes = int(late.total_seconds() // 60)
    if minutes >= 1:
        lines.append(t("(late by {minutes} min: I was offline)", minutes=minutes))
    if again:
        lines.append(t("(sent again: I stopped while sending it, so it may appear twice)"))
    return "\n".join(lines)


async def deliver(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """Post one claimed alarm, heads-up or watch alert (an escalation left unfinished goes out again)."""
    if occurrence.kind == schedules.ESCALATION:
        alarm = await Occurrence.get(schedule_id=schedule.id, due_at=occurrence.due_at, kind=schedules.ALARM)
        alarm.schedule = schedule
        await escalate(app, alarm)
        return None
    t = await chat_translator(app, schedule.chat_id)
    kind = occurrence.kind
    record = None
    if schedule.kind in watches.WATCH_KINDS:
        text, markup, record = await watch_post(t, schedule, now())
    else:
        text = posting_text(t, schedule, kind, late, resending(app, occurrence))
        markup = alarm_buttons(t, occurrence.id) if kind == schedules.ALARM else None
    wait = await send_claimed(
        app,
        occurrence,
        lambda: app.bot.send_message(schedule.chat_id, text, reply_markup=markup, **bulk(app)),
    )
    if occurrence.state == schedules.SENT and record is not None and occurrence.message_id is not None:
        await records.remember_card(record, schedule.chat_id, occurrence.message_id)
    if occurrence.state == schedules.SENT and kind == schedules.ALARM and schedule.escalate_minutes:
        plan_escalation(app, occurrence, schedule.escalate_minutes)
    return wait


def plan_escalation(app: App, occurrence: Occurrence, minutes: int) -> None:
    """Check later whether somebody pressed Done (once: a start-up posting and its resume plan the same)."""
    name = f"escalate:{occurrence.id}"
    for job in app.job_queue.get_jobs_by_name(name):  # type: ignore[union-attr]
        job.schedule_removal()
    app.job_queue.run_once(  # type: ignore[union-attr]
        escalate_job,
        when=max(occurrence.due_at + timedelta(minutes=minutes), now()),
        data=occurrence.id,
        name=name,
        job_kwargs={"misfire_grace_time": None},
    )


async def escalate_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Timer callback: tell the supervisors about an alarm nobody marked done."""
    assert context.job is not None
    occurrence_id = int(context.job.data)  # type: ignore[call-overload]
    occurrence = await Occurrence.get_or_none(id=occurrence_id).prefetch_related("schedule")
    if occurrence is not None and occurrence.acked_by is None:
        await escalate(context.application, occurrence)


async def escalate(app: App, occurrence: Occurrence) -> None:
    """Post the escalation once to every supervisors' chat (or, with none registered, to the alarm's chat),
    with Done and I'm on it buttons that act on the alarm itself."""
    schedule: Schedule = occurrence.schedule
    claim = await schedules.claim(schedule, occurrence.due_at, schedules.ESCALATION)
    if claim is None:
        return
    targets = [chat.id for chat in await chats.registered() if chat.purpose == ChatPurpose.SUPERVISORS]
    message_id = None
    for chat_id in targets or [schedule.chat_id]:
        t = await chat_translator(app, chat_id)
        when = occurrence.due_at.astimezone(schedules.zone_of(schedule)).strftime("%H:%M")
        text = t(
            "⚠️ Nobody marked this alarm done within {minutes} min: “{text}” (due {when}, alarm #{id}).",
            minutes=schedule.escalate_minutes,
            text=schedule.text,
            when=when,
            id=schedules.number_of(schedule),
        )
        try:
            markup = escalation_buttons(t, occurrence.id)
            message = await app.bot.send_message(
                chat_id, text, reply_markup=markup, **bulk(app, REPLY_RETRIES)
            )
        except TelegramError as exc:
            log.error("escalation of alarm %s to chat %s failed: %s", schedule.id, chat_id, exc)
            continue
        message_id = message.message_id
        await mirrored(app, claim.id, "esc", message)
    await schedules.mark_sent(claim, message_id, now())


async def resume_escalations(app: App) -> None:
    """At start: alarms posted before the restart that nobody marked done get their escalation timers back."""
    for occurrence in await schedules.awaiting_escalation():
        plan_escalation(app, occurrence, occurrence.schedule.escalate_minutes or 0)
