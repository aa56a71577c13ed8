"""Posting schedules through PTB's JobQueue: one timer per schedule, re-armed from the database at start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.enums import ChatPurpose
from bot.i18n import Translator, translator
from bot.models import Occurrence, Schedule
from bot.ratelimit import REPLY_RETRIES, Bulk, retry_seconds
from bot.services.scheduling import schedules, watches
from bot.services.team import chats
from handlers.common import SETTINGS_KEY
from jobs.watch_posts import watch_post

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
TRANSIENT_RETRY = timedelta(seconds=30)
MISSED_LISTED = 10
LOCK_KEY = "posting_lock"
TURNS_KEY = "posting_turns"
PREPARING_AT_ONCE = 8
"""Timers that read and claim their schedule at the same time: when 1,000 alarms fall due in one instant,
the first ones go out at once instead of after every claim."""


Poster = Callable[[App, Schedule, Occurrence, timedelta], Awaitable[timedelta | None]]
"""Posts one claimed occurrence (given how late it is); returns the wait before a retry, or None when done."""
POSTERS: dict[str, Poster] = {}
"""Schedule kinds whose postings are not a plain message (digests, broadcasts, shift reminders), by kind."""


Describe = Callable[[App, Translator, Schedule, datetime], Awaitable[str | None]]
"""How a missed posting of a kind is named in the missed summary; None when it would have posted nothing."""
DESCRIBERS: dict[str, Describe] = {}
CATCH_UP: set[str] = set()
"""Kinds whose postings act rather than inform (a swap's expiry): after downtime they run however late."""


def register_poster(
    kind: str, poster: Poster, *, describe: Describe | None = None, catch_up: bool = False
) -> None:
    """Let a feature post its own schedule kind; the engine still claims, retries, advances and re-arms."""
    POSTERS[kind] = poster
    if describe:
        DESCRIBERS[kind] = describe
    if catch_up:
        CATCH_UP.add(kind)


async def missed_line(app: App, t: Translator, schedule: Schedule, when: datetime) -> str | None:
    """One line of the missed summary, or None when that posting would have said nothing."""
    describe = DESCRIBERS.get(schedule.kind)
    what = await describe(app, t, schedule, when) if describe else schedule.text
    if what is None:
        return None
    local = when.astimezone(schedules.zone_of(schedule)).strftime("%m-%d %H:%M")
    return f"• {local} #{schedule.id} {what}"


def poster_of(schedule: Schedule) -> Poster:
    """The function that posts this schedule's occurrences."""
    return POSTERS.get(schedule.kind, deliver)


def now() -> datetime:
    """The current instant; tests move it with time-machine."""
    return datetime.now(UTC)


async def chat_translator(app: App, chat_id: int) -> Translator:
    """The language of the chat a posting goes to."""
    default: str = app.bot_data[SETTINGS_KEY].bot_locale
    return translator(await chats.locale_of(chat_id, default))


def posting_lock(app: App) -> asyncio.Lock:
    """Scheduled postings go out one at a time, each recorded before the next is sent.

    A crash after Telegram accepted a message but before it was recorded makes the restart post it again;
    with one posting in flight that window holds a single message. The price is one Telegram round trip
    per posting in a burst, which stays under the 30 messages/s Telegram allows on a normal connection.
    """
    lock: asyncio.Lock = app.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    return lock


def turns(app: App) -> asyncio.Semaphore:
    """Bounds how many timers work at once; the rest wait their turn in order."""
    semaphore: asyncio.Semaphore = app.bot_data.setdefault(TURNS_KEY, asyncio.Semaphore(PREPARING_AT_ONCE))
    return semaphore


def plan(app: App, schedule: Schedule) -> None:
    """(Re)arm the one timer of a schedule for its next posting."""
    for job in app.job_queue.get_jobs_by_name(f"schedule:{schedule.id}"):  # type: ignore[union-attr]
        job.schedule_removal()
    if schedule.state == schedules.ACTIVE and schedule.next_due_at is not None:
        app.job_queue.run_once(  # type: ignore[union-attr]
            fire_job,
            when=max(schedule.next_due_at, now()),
            data=schedule.id,
            name=f"schedule:{schedule.id}",
            job_kwargs={"misfire_grace_time": None},
        )


async def fire_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Timer callback: post what is due for this schedule."""
    assert context.job is not None
    async with turns(context.application):
        await post_due(context.application, int(context.job.data))  # type: ignore[call-overload]


async def post_due(app: App, schedule_id: int) -> None:
    """Post the schedule's due occurrence once, then move on to the next; a stale timer does nothing."""
    schedule = await Schedule.get_or_none(id=schedule_id)
    if schedule is None or schedule.state != schedules.ACTIVE or schedule.next_due_at is None:
        return
    moment = now()
    if schedule.next_due_at > moment:
        plan(app, schedule)
        return
    if not await watches.still_relevant(schedule):
        await schedules.set_state(schedule, schedules.DONE, actor_id=schedule.owner_id, now=moment)
        return
    due_at, kind = schedule.next_due_at, schedule.next_kind or schedules.ALARM
    occurrence = await schedules.claim(schedule, due_at, kind)
    wait = await poster_of(schedule)(app, schedule, occurrence, moment - due_at) if occurrence else None
    if wait is not None:
        retry_later(app, schedule, wait)
        return
    await schedules.advance(schedule, due_at)
    plan(app, schedule)


def retry_later(app: App, schedule: Schedule, wait: timedelta) -> None:
    """Try a posting again after a transient failure; the claim is kept, so it still goes out once."""
    app.job_queue.run_once(  # type: ignore[union-attr]
        fire_job, when=wait, data=schedule.id, name=f"schedule:{schedule.id}"
    )


def alarm_buttons(t: Translator, occurrence: Occurrence) -> InlineKeyboardMarkup:
    """Done and Snooze buttons under an alarm."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("Done ✅"), callback_data=f"al:d:{occurrence.id}"),
                InlineKeyboardButton(t("Snooze 5 min"), callback_data=f"al:s:{occurrence.id}:5"),
                InlineKeyboardButton(t("Snooze 15 min"), callback_data=f"al:s:{occurrence.id}:15"),
            ]
        ]
    )


def posting_text(t: Translator, schedule: Schedule, kind: str, late: timedelta) -> str:
    """What an occurrence says: the alarm, its heads-up, and how late it is when posted after a restart."""
    if kind == schedules.LEAD:
        return t("⏳ In {minutes} min: {text}", minutes=schedule.lead_minutes, text=schedule.text)
    text = t("⏰ {text}", text=schedule.text)
    minutes = int(late.total_seconds() // 60)
    return (
        text + "\n" + t("(late by {minutes} min: I was offline)", minutes=minutes) if minutes >= 1 else text
    )


async def deliver(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """Send one claimed posting and record it; after a transient failure, how long to wait before retrying."""
    t = await chat_translator(app, schedule.chat_id)
    kind = occurrence.kind
    if schedule.kind in watches.WATCH_KINDS:
        text, markup = await watch_post(t, schedule, now())
    else:
        text = posting_text(t, schedule, kind, late)
        markup = alarm_buttons(t, occurrence) if kind == schedules.ALARM else None
    wait = await send_claimed(
        app,
        occurrence,
        lambda: app.bot.send_message(schedule.chat_id, text, reply_markup=markup, **bulk(app)),
    )
    if occurrence.state == schedules.SENT and kind == schedules.ALARM and schedule.escalate_minutes:
        plan_escalation(app, occurrence, schedule.escalate_minutes)
    return wait


async def send_once(
    app: App,
    what: str,
    send: Callable[[], Awaitable[Message]],
    record: Callable[[Message], Awaitable[object]],
    refused: Callable[[str], Awaitable[object]],
) -> timedelta | None:
    """Send one message and record it under the posting lock, so a crash can repeat at most this one message.

    A refusal for good (Forbidden, BadRequest) goes to `refused` with Telegram's reason; after a 429 or a
    transient failure, returns how long to wait before trying again."""
    async with posting_lock(app):
        try:
            message = await send()
        except (Forbidden, BadRequest) as exc:
            log.error("%s refused: %s", what, exc)
            await refused(exc.message)
            return None
        except RetryAfter as exc:
            log.warning("%s: Telegram asked to wait %s s", what, retry_seconds(exc))
            return timedelta(seconds=retry_seconds(exc) + 0.1)
        except (TelegramError, OSError) as exc:
            log.warning("%s: posting failed, will retry: %s", what, exc)
            return TRANSIENT_RETRY
        await record(message)
    return None


async def send_claimed(
    app: App, occurrence: Occurrence, send: Callable[[], Awaitable[Message]]
) -> timedelta | None:
    """Send one claimed posting and record it on the occurrence; after a transient failure, the wait."""
    return await send_once(
        app,
        f"schedule {occurrence.schedule_id} ({occurrence.kind}) to chat {occurrence.chat_id}",  # type: ignore[attr-defined]
        send,
        record=lambda message: schedules.mark_sent(occurrence, message.message_id, now()),
        refused=lambda _reason: schedules.mark_failed(occurrence),
    )


def bulk(app: App, retries: int = 0) -> dict[str, Bulk]:
    """Scheduled postings are paced to Telegram's overall limit; by default one that meets a 429 is handed
    back to be re-armed, so the other chats' postings go on."""
    return {"rate_limit_args": Bulk(retries)} if app.bot.rate_limiter else {}


def plan_escalation(app: App, occurrence: Occurrence, minutes: int) -> None:
    """Check later whether somebody pressed Done."""
    app.job_queue.run_once(  # type: ignore[union-attr]
        escalate_job,
        when=max(occurrence.due_at + timedelta(minutes=minutes), now()),
        data=occurrence.id,
        name=f"escalate:{occurrence.id}",
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
    """Post the escalation once to every supervisors' chat (or, with none registered, to the alarm's chat)."""
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
            id=schedule.id,
        )
        try:
            message_id = (await app.bot.send_message(chat_id, text, **bulk(app, REPLY_RETRIES))).message_id
        except TelegramError as exc:
            log.error("escalation of alarm %s to chat %s failed: %s", schedule.id, chat_id, exc)
    await schedules.mark_sent(claim, message_id, now())


def overdue(schedule: Schedule) -> timedelta | None:
    """How long ago an active schedule's next posting fell due; None when it is not due yet."""
    if schedule.state != schedules.ACTIVE or schedule.next_due_at is None or schedule.next_due_at > now():
        return None
    return now() - schedule.next_due_at


async def resume(app: App, grace: timedelta = schedules.DEFAULT_GRACE) -> None:
    """At start: finish interrupted postings, post what fell due lately, report older ones, re-arm timers."""
    for occurrence in await schedules.unfinished():
        schedule = occurrence.schedule
        if occurrence.kind == schedules.ESCALATION:
            alarm = await Occurrence.get(
                schedule_id=schedule.id, due_at=occurrence.due_at, kind=schedules.ALARM
            )
            alarm.schedule = schedule
            await escalate(app, alarm)
        else:
            await poster_of(schedule)(app, schedule, occurrence, now() - occurrence.due_at)
    missed: dict[int, list[tuple[datetime, Schedule]]] = {}
    running = await schedules.active()
    for schedule in running:  # first record and report what is too old, so a crash cannot lose the report
        while (late := overdue(schedule)) is not None and late > grace and schedule.kind not in CATCH_UP:
            for when in await schedules.skip_missed_one(schedule):
                missed.setdefault(schedule.chat_id, []).append((when, schedule))
    for chat_id, items in missed.items():
        await report_missed(app, chat_id, items)
    for schedule in running:
        while overdue(schedule) is not None:
            due_at = schedule.next_due_at
            await post_due(app, schedule.id)
            await schedule.refresh_from_db()
            if schedule.next_due_at == due_at:  # Telegram unreachable: post_due retries later
                break
        plan(app, schedule)
    for occurrence in await schedules.awaiting_escalation():
        plan_escalation(app, occurrence, occurrence.schedule.escalate_minutes or 0)


async def report_missed(app: App, chat_id: int, items: list[tuple[datetime, Schedule]]) -> None:
    """One message per chat listing the alarms that fell due too long ago to post one by one."""
    t = await chat_translator(app, chat_id)
    listed = [line for when, schedule in items if (line := await missed_line(app, t, schedule, when))]
    if not listed:
        return
    lines = [
        t("While I was offline, {count} alarm(s) were missed:", count=len(listed)),
        *listed[:MISSED_LISTED],
    ]
    if len(listed) > MISSED_LISTED:
        lines.append(t("… and {count} more.", count=len(listed) - MISSED_LISTED))
    try:
        await app.bot.send_message(chat_id, "\n".join(lines), **bulk(app, REPLY_RETRIES))
    except TelegramError as exc:
        log.error("could not report missed alarms to chat %s: %s", chat_id, exc)
