"""The scheduling engine: a JobQueue timer per schedule, re-armed from the database, postings claimed once.

The database is the truth and the JobQueue a cache of it: `arm` (re)creates a schedule's timer from its row, a
timer re-reads the row, claims the due posting, hands it to the poster of the schedule's kind (jobs/kinds.py,
installed by the app builder) and advances the schedule. A kind missing from that table is never posted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.models import Delivery, Occurrence, Schedule
from bot.ratelimit import REPLY_RETRIES, Bulk, retry_seconds
from bot.render.context import App, chat_translator
from bot.services.scheduling import changes, deliveries, schedules, watches
from bot.services.when import format_moment

log = logging.getLogger(__name__)

TRANSIENT_RETRY = timedelta(seconds=30)
MISSED_LISTED = 10
LOCK_KEY = "posting_lock"
TURNS_KEY = "posting_turns"
KINDS_KEY = "schedule_kinds"
ELSEWHERE_KEY = "arm_elsewhere"
"""Set on a standby instance: a callable taking a schedule id, which hands the arming to the leader."""
MIRROR_KEY = "posting_mirror"
MIRROR_PART = "post"
"""The part name of a single-message posting's copies on other channels."""
PREPARING_AT_ONCE = 8
"""Timers that read and claim their schedule at the same time: when 1,000 alarms fall due in one instant,
the first ones go out at once instead of after every claim."""

RESENDING_KEY = "resending"
"""bot_data: ids of the occurrences start-up is re-sending (left `sending`): Telegram may already have shown
them, so a poster can say that this one may appear twice."""

Poster = Callable[[App, Schedule, Occurrence, timedelta], Awaitable[timedelta | None]]
"""Posts one claimed occurrence (given how late it is); returns the wait before a retry, or None when done."""
Describe = Callable[[App, Translator, Schedule, datetime], Awaitable[str | None]]
"""How a missed posting is named in the missed summary; None when it would have posted nothing."""
Mirror = Callable[[App, int, str, Message], Awaitable[None]]
"""Keeps the copies of a posting (occurrence, part, the message as Telegram took it) for other channels."""


@dataclass(frozen=True, slots=True)
class Kind:
    """What the engine needs to know about one kind of schedule."""

    poster: Poster
    describe: Describe | None = None
    """How a posting missed during downtime is named; without it, the schedule's text."""
    catch_up: bool = False
    """Postings that act rather than inform (a swap's expiry) run however late instead of being listed."""


def install(app: App, kinds: dict[str, Kind], mirror: Mirror | None = None) -> None:
    """Give the engine its table of kinds and what copies postings to other channels (the app builder does
    this once)."""
    app.bot_data[KINDS_KEY] = kinds
    app.bot_data[MIRROR_KEY] = mirror


async def mirrored(app: App, occurrence_id: int, part: str, message: Message) -> None:
    """Hand a posting Telegram accepted to the other channels (group robots) before it is recorded."""
    hook: Mirror | None = app.bot_data.get(MIRROR_KEY)
    if hook is not None:
        await hook(app, occurrence_id, part, message)


def resending(app: App, occurrence: Occurrence) -> bool:
    """Whether this posting is being sent again after an interruption (it may appear twice)."""
    return occurrence.id in app.bot_data.get(RESENDING_KEY, ())


def kind_of(app: App, schedule: Schedule) -> Kind | None:
    """The table's entry for a schedule, or None when its kind is unknown."""
    kinds: dict[str, Kind] = app.bot_data[KINDS_KEY]
    return kinds.get(schedule.kind)


def now() -> datetime:
    """The current instant; tests move it with time-machine."""
    return datetime.now(UTC)


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


def arm(app: App, schedule: Schedule) -> None:
    """(Re)arm the one timer of a schedule for its next posting (or drop it when there is none); on a standby
    the leader is asked to, since timers run on the leader only."""
    elsewhere: Callable[[int], None] | None = app.bot_data.get(ELSEWHERE_KEY)
    if elsewhere is not None:
        elsewhere(schedule.id)
        return
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


def arm_all(app: App, changed: Iterable[Schedule]) -> None:
    """Arm every schedule a piece of work changed."""
    for schedule in changed:
        arm(app, schedule)


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
        arm(app, schedule)
        return
    if not await watches.still_relevant(schedule):
        with changes.collecting():
            await schedules.set_state(schedule, schedules.DONE, actor_id=schedule.owner_id, now=moment)
        return
    due_at, kind = schedule.next_due_at, schedule.next_kind or schedules.ALARM
    occurrence = await schedules.claim(schedule, due_at, kind)
    wait = await post(app, schedule, occurrence, moment - due_at) if occurrence else None
    if wait is not None:
        retry_later(app, schedule, wait)
        return
    await schedules.advance(schedule, due_at)
    arm(app, schedule)


async def post(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """Hand a claimed posting to its kind's poster and arm whatever the poster changed; unknown kinds fail."""
    kind = kind_of(app, schedule)
    if kind is None:
        log.error(
            "schedule %s has unknown kind %r: occurrence %s not posted",
            schedule.id,
            schedule.kind,
            occurrence.id,
        )
        await schedules.mark_failed(occurrence)
        return None
    with changes.collecting() as changed:
        wait = await kind.poster(app, schedule, occurrence, late)
    arm_all(app, changed)
    return wait


def retry_later(app: App, schedule: Schedule, wait: timedelta) -> None:
    """Try a posting again after a transient failure; the claim is kept, so it still goes out once."""
    app.job_queue.run_once(  # type: ignore[union-attr]
        fire_job, when=wait, data=schedule.id, name=f"schedule:{schedule.id}"
    )


async def send_once(
    app: App,
    what: str,
    send: Callable[[], Awaitable[Message]],
    record: Callable[[Message], Awaitable[object]],
    refused: Callable[[str], Awaitable[object]],
    mirror_as: tuple[int, str],
) -> timedelta | None:
    """Send one message and record it under the posting lock, so a crash can repeat at most this one message.

    The other channels' copies are kept (as `mirror_as`: occurrence and part) before the message is recorded,
    so a crash in between repeats the Telegram message at most, never the copies. A refusal for good
    (Forbidden, BadRequest) goes to `refused` with Telegram's reason; after a 429 or a transient failure,
    returns how long to wait before trying again."""
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
        await mirrored(app, *mirror_as, message)
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
        mirror_as=(occurrence.id, MIRROR_PART),
    )


async def send_delivery(
    app: App,
    delivery: Delivery,
    send: Callable[[], Awaitable[Message]],
    noted: Callable[[Message], Awaitable[dict[str, object] | None]] | None = None,
) -> timedelta | None:
    """Send one claimed message of a posting that fans out and record how it went, under the posting lock.

    `noted` runs once the message was accepted (a pin, say); what it returns is kept with the delivery.
    A refusal for good is recorded with Telegram's reason; after a transient failure, returns the wait."""

    async def record(message: Message) -> None:
        """Record the accepted message with what the poster noted about it."""
        extra = await noted(message) if noted else None
        await deliveries.delivered(delivery, message.message_id, now(), extra)

    return await send_once(
        app,
        f"{delivery.part} of occurrence {delivery.occurrence_id} to {delivery.recipient}",  # type: ignore[attr-defined]
        send,
        record,
        lambda reason: deliveries.failed(delivery, reason),
        (delivery.occurrence_id, delivery.part),  # type: ignore[attr-defined]
    )


def bulk(app: App, retries: int = 0) -> dict[str, Bulk]:
    """Scheduled postings are paced to Telegram's overall limit; by default one that meets a 429 is handed
    back to be re-armed, so the other chats' postings go on."""
    return {"rate_limit_args": Bulk(retries)} if app.bot.rate_limiter else {}


def overdue(schedule: Schedule) -> timedelta | None:
    """How long ago an active schedule's next posting fell due; None when it is not due yet."""
    if schedule.state != schedules.ACTIVE or schedule.next_due_at is None or schedule.next_due_at > now():
        return None
    return now() - schedule.next_due_at


def catches_up(app: App, schedule: Schedule) -> bool:
    """Whether a schedule's postings run however late."""
    kind = kind_of(app, schedule)
    return kind is not None and kind.catch_up


async def resume(app: App, grace: timedelta = schedules.DEFAULT_GRACE) -> None:
    """At start: finish interrupted postings, post what fell due lately, report older ones, re-arm timers."""
    resending: set[int] = app.bot_data.setdefault(RESENDING_KEY, set())
    for occurrence in await schedules.unfinished():
        resending.add(occurrence.id)
        try:
            await post(app, occurrence.schedule, occurrence, now() - occurrence.due_at)
        finally:
            resending.discard(occurrence.id)
    missed: dict[int, list[tuple[datetime, Schedule]]] = {}
    running = await schedules.active()
    for schedule in running:  # first record and report what is too old, so a crash cannot lose the report
        while (late := overdue(schedule)) is not None and late > grace and not catches_up(app, schedule):
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
        arm(app, schedule)


async def missed_line(app: App, t: Translator, schedule: Schedule, when: datetime) -> str | None:
    """One line of the missed summary, or None when that posting would have said nothing."""
    kind = kind_of(app, schedule)
    what = await kind.describe(app, t, schedule, when) if kind and kind.describe else schedule.text
    if what is None:
        return None
    local = format_moment(when, schedules.zone_of(schedule), t.locale)
    number = f" #{schedule.number}" if schedule.number else ""
    return f"• {local}{number} {what}"


async def report_missed(app: App, chat_id: int, items: list[tuple[datetime, Schedule]]) -> None:
    """One message per chat listing the postings that fell due too long ago to post one by one."""
    t = await chat_translator(app, chat_id)
    listed = [line for when, schedule in items if (line := await missed_line(app, t, schedule, when))]
    if not listed:
        return
    lines = [
        t.ngettext(
            "While I was offline, {n} alarm was missed:",
            "While I was offline, {n} alarms were missed:",
            len(listed),
        ),
        *listed[:MISSED_LISTED],
    ]
    if len(listed) > MISSED_LISTED:
        lines.append(t("… and {count} more.", count=len(listed) - MISSED_LISTED))
    try:
        message = await app.bot.send_message(chat_id, "\n".join(lines), **bulk(app, REPLY_RETRIES))
    except TelegramError as exc:
        log.error("could not report missed alarms to chat %s: %s", chat_id, exc)
        return
    when, schedule = items[0]
    first = await schedules.missed_occurrence(schedule, when)
    if first is not None:
        await mirrored(app, first.id, "missed", message)
