"""Schedules that survive restarts: each posting is claimed in the database before it is sent."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.enums import ALARM_KINDS, ScheduleKind
from bot.i18n import N_
from bot.models import Occurrence, Schedule
from bot.services import audit
from bot.services.errors import UserError
from bot.services.scheduling import changes, shop_calendar
from bot.services.when import (
    Once,
    Reading,
    Rule,
    ShopCalendar,
    from_json,
    next_after,
    on_working_days,
    to_json,
)

ACTIVE, PAUSED, DELETED, DONE = "active", "paused", "deleted", "done"
ALARM, LEAD, ESCALATION = "alarm", "lead", "escalation"
SENDING, SENT, MISSED, FAILED = "sending", "sent", "missed", "failed"
DEFAULT_ESCALATE_MINUTES = 10
DEFAULT_GRACE = timedelta(minutes=10)
NUMBER_ATTEMPTS = 3


def zone_of(schedule: Schedule) -> ZoneInfo:
    """The zone the schedule's wall times are in."""
    return ZoneInfo(schedule.timezone)


def next_event(schedule: Schedule, after: datetime, calendar: ShopCalendar) -> tuple[datetime, str] | None:
    """The next posting strictly after `after`: the heads-up before an alarm, or the alarm itself."""
    rule = from_json(schedule.rule)
    lead = timedelta(minutes=schedule.lead_minutes or 0)
    main = next_after(rule, after, zone_of(schedule), calendar)
    if main is None or (schedule.ends_at is not None and main > schedule.ends_at):
        return None
    if lead and main - lead > after:
        return main - lead, LEAD
    return main, ALARM


async def create(
    *,
    kind: str,
    chat_id: int,
    owner_id: int,
    parsed: Reading,
    zone: ZoneInfo,
    now: datetime,
    ref: str | None = None,
    escalate_minutes: int | None = DEFAULT_ESCALATE_MINUTES,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Schedule:
    """Store a schedule with its first due time (not before `starts_at`, not after `ends_at`); audited."""
    schedule = Schedule(
        kind=kind,
        chat_id=chat_id,
        owner_id=owner_id,
        rule=to_json(parsed.rule),
        timezone=zone.key,
        text=parsed.text,
        lead_minutes=int(parsed.lead.total_seconds() // 60) if parsed.lead else None,
        escalate_minutes=escalate_minutes,
        ref=ref,
        ends_at=ends_at,
    )
    since = max(now, starts_at - timedelta(seconds=1)) if starts_at else now
    upcoming = next_event(schedule, since, await shop_calendar.current())
    if upcoming is None:
        raise UserError(N_("That time has already passed."))
    schedule.next_due_at, schedule.next_kind = upcoming
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            async with in_transaction() as conn:
                schedule.number = await _next_number(conn) if kind in ALARM_KINDS else None
                await schedule.save(using_db=conn)
                await audit.record(
                    actor_id=owner_id,
                    chat_id=chat_id,
                    action="schedule.create",
                    target=f"alarm:{schedule.id}",
                    after={"rule": schedule.rule, "text": schedule.text, "number": schedule.number},
                    using_db=conn,
                )
            break
        except IntegrityError:  # another alarm took the number meanwhile: take the next one
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    return changes.note(schedule)


async def _next_number(conn: BaseDBAsyncClient) -> int:
    """The number after the highest any alarm or watch ever had (deleted ones keep theirs)."""
    last = await Schedule.filter(number__isnull=False).using_db(conn).order_by("-number").first()
    return (last.number or 0) + 1 if last else 1


def number_of(schedule: Schedule) -> int:
    """The number people see for an alarm or watch."""
    assert schedule.number is not None, f"schedule {schedule.id} ({schedule.kind}) is not an alarm"
    return schedule.number


def heads_up_skipped(schedule: Schedule) -> bool:
    """Whether a schedule with a heads-up rings next without one: the alarm is closer than the heads-up."""
    return bool(schedule.lead_minutes) and schedule.state == ACTIVE and schedule.next_kind == ALARM


def next_alarm_at(schedule: Schedule) -> datetime | None:
    """When the alarm itself next rings: a heads-up due first is `lead` minutes before it."""
    if schedule.next_due_at is None or schedule.next_kind != LEAD:
        return schedule.next_due_at
    return schedule.next_due_at + timedelta(minutes=schedule.lead_minutes or 0)


async def due(now: datetime) -> list[Schedule]:
    """Active schedules whose next posting is due."""
    return await Schedule.filter(state=ACTIVE, next_due_at__lte=now).order_by("next_due_at", "id")


async def active() -> list[Schedule]:
    """Every active schedule, soonest first."""
    return await Schedule.filter(state=ACTIVE, next_due_at__isnull=False).order_by("next_due_at", "id")


async def claim(schedule: Schedule, due_at: datetime, kind: str) -> Occurrence | None:
    """Reserve one posting; None when it was already posted (a retry after a restart, or a second timer)."""
    try:
        async with in_transaction() as conn:
            return await Occurrence.create(
                schedule=schedule, due_at=due_at, kind=kind, chat_id=schedule.chat_id, using_db=conn
            )
    except IntegrityError:
        existing = await Occurrence.get(schedule_id=schedule.id, due_at=due_at, kind=kind)
        return existing if existing.state == SENDING else None


async def mark_sent(occurrence: Occurrence, message_id: int | None, now: datetime) -> None:
    """Record that Telegram accepted the posting."""
    occurrence.state, occurrence.message_id, occurrence.sent_at = SENT, message_id, now
    await occurrence.save(update_fields=["state", "message_id", "sent_at"])


async def advance(schedule: Schedule, after: datetime) -> Schedule:
    """Move a schedule to its next posting after `after`; a one-off that has fired is done.

    Only a schedule still active moves: one paused or deleted while its posting went out stays as the person
    left it (the row is re-read in that case), instead of being brought back by the posting's stale copy."""
    upcoming = next_event(schedule, after, await shop_calendar.current())
    state, due, kind = (DONE, None, None) if upcoming is None else (ACTIVE, *upcoming)
    moved = await Schedule.filter(id=schedule.id, state=ACTIVE).update(
        state=state, next_due_at=due, next_kind=kind
    )
    if moved:
        schedule.state, schedule.next_due_at, schedule.next_kind = state, due, kind
    else:
        await schedule.refresh_from_db()
    return schedule


async def skip_missed_one(schedule: Schedule) -> list[datetime]:
    """Record the due posting as missed (too late to post) and move past it; returns the missed alarm time."""
    assert schedule.next_due_at is not None
    due_at, kind = schedule.next_due_at, schedule.next_kind
    if kind == ALARM:
        await Occurrence.get_or_create(
            schedule=schedule,
            due_at=due_at,
            kind=ALARM,
            defaults={"state": MISSED, "chat_id": schedule.chat_id},
        )
    await advance(schedule, due_at)
    return [due_at] if kind == ALARM else []


async def missed_occurrence(schedule: Schedule, due_at: datetime) -> Occurrence | None:
    """The posting recorded as missed at this time (the missed summary's copies hang on the first one)."""
    return await Occurrence.get_or_none(schedule_id=schedule.id, due_at=due_at, kind=ALARM)


async def unfinished() -> list[Occurrence]:
    """Postings claimed but not confirmed sent: the bot stopped between claiming and recording."""
    return await Occurrence.filter(state=SENDING).prefetch_related("schedule").order_by("id")


DONE_OUTCOME, SNOOZED = "done", "snoozed"


async def acknowledge(
    occurrence_id: int, user_id: int, now: datetime, outcome: str = DONE_OUTCOME
) -> Occurrence | None:
    """Answer an alarm (done, or snoozed: not escalated, not counted as done); None if already answered."""
    updated = await Occurrence.filter(id=occurrence_id, acked_by__isnull=True).update(
        acked_by=user_id, acked_at=now, outcome=outcome
    )
    return await Occurrence.get_or_none(id=occurrence_id).prefetch_related("schedule") if updated else None


ON_IT = "onit"


async def take_on(alarm: Occurrence, user_id: int, now: datetime) -> bool:
    """Somebody took an escalated alarm on ("I'm on it"): noted on its escalation with an audit entry, once;
    False when the alarm was already answered or somebody else took it."""
    if alarm.acked_by is not None:
        return False
    async with in_transaction() as conn:
        taken = (
            await Occurrence.filter(
                schedule_id=alarm.schedule_id,  # type: ignore[attr-defined]
                due_at=alarm.due_at,
                kind=ESCALATION,
                acked_by__isnull=True,
            )
            .using_db(conn)
            .update(acked_by=user_id, acked_at=now, outcome=ON_IT)
        )
        if taken:
            await audit.record(
                actor_id=user_id,
                chat_id=alarm.chat_id,
                action="alarm.onit",
                target=f"alarm:{alarm.schedule_id}",  # type: ignore[attr-defined]
                after={"due": alarm.due_at.isoformat()},
                using_db=conn,
            )
    return bool(taken)


async def taker(alarm: Occurrence) -> int | None:
    """Who said "I'm on it" for an escalated alarm, if anybody."""
    escalation = await Occurrence.get_or_none(
        schedule_id=alarm.schedule_id,  # type: ignore[attr-defined]
        due_at=alarm.due_at,
        kind=ESCALATION,
    )
    return escalation.acked_by if escalation else None


async def mark_failed(occurrence: Occurrence) -> None:
    """Record a posting Telegram refused for good (the bot was removed from the chat, say)."""
    occurrence.state = FAILED
    await occurrence.save(update_fields=["state"])


async def awaiting_escalation() -> list[Occurrence]:
    """Posted alarms nobody marked done yet whose schedule escalates and that were not escalated."""
    candidates = await Occurrence.filter(kind=ALARM, state=SENT, acked_by__isnull=True).prefetch_related(
        "schedule"
    )
    waiting = []
    for occurrence in candidates:
        if occurrence.schedule.escalate_minutes and not await Occurrence.exists(
            schedule_id=occurrence.schedule.id, due_at=occurrence.due_at, kind=ESCALATION
        ):
            waiting.append(occurrence)
    return waiting


async def of_chat(chat_id: int, kinds: Collection[str]) -> list[Schedule]:
    """A chat's schedules of these kinds that are not deleted, soonest first."""
    return await Schedule.filter(chat_id=chat_id, kind__in=list(kinds), state__in=[ACTIVE, PAUSED]).order_by(
        "next_due_at", "id"
    )


async def owned(number: int, chat_id: int, kinds: Collection[str]) -> Schedule:
    """A schedule of one of these kinds of this chat by the number people see, or a clear error."""
    schedule = await Schedule.get_or_none(number=number)
    if schedule is None or schedule.state == DELETED or schedule.kind not in kinds:
        raise UserError(N_("There is no alarm {value}."), value=number)
    if schedule.chat_id != chat_id:
        raise UserError(N_("Alarm {value} belongs to another chat."), value=number)
    return schedule


async def set_state(schedule: Schedule, state: str, *, actor_id: int, now: datetime) -> Schedule:
    """Pause, resume or delete; resuming starts from the next posting after now."""
    before = schedule.state
    schedule.state = state
    if state == ACTIVE:
        upcoming = next_event(schedule, now, await shop_calendar.current())
        schedule.next_due_at, schedule.next_kind = upcoming if upcoming else (None, None)
        if upcoming is None:
            schedule.state = DONE
    async with in_transaction() as conn:
        await schedule.save(update_fields=["state", "next_due_at", "next_kind"], using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=schedule.chat_id,
            action="schedule.state",
            target=f"alarm:{schedule.id}",
            before={"state": before},
            after={"state": schedule.state},
            using_db=conn,
        )
    return changes.note(schedule)


async def retime(
    schedule: Schedule, rule: Rule, *, actor_id: int, now: datetime, action: str = "schedule.time"
) -> Schedule:
    """Give a schedule a new rule (a paused one stays paused until resumed), audited with the old rule."""
    before = schedule.rule
    schedule.rule = to_json(rule)
    calendar = await shop_calendar.current()
    upcoming = next_event(schedule, now, calendar) if schedule.state == ACTIVE else None
    schedule.next_due_at, schedule.next_kind = upcoming if upcoming else (None, None)
    async with in_transaction() as conn:
        await schedule.save(update_fields=["rule", "next_due_at", "next_kind"], using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=schedule.chat_id,
            action=action,
            target=f"alarm:{schedule.id}",
            before={"rule": before},
            after={"rule": schedule.rule},
            using_db=conn,
        )
    return changes.note(schedule)


async def snooze(schedule: Schedule, minutes: int, *, actor_id: int, now: datetime) -> Schedule:
    """A one-off copy of an alarm `minutes` from now, itself escalating if nobody marks it done."""
    parsed = Reading(Once(now + timedelta(minutes=minutes)), schedule.text)
    return await create(
        kind=ScheduleKind.SNOOZE,
        chat_id=schedule.chat_id,
        owner_id=actor_id,
        parsed=parsed,
        zone=zone_of(schedule),
        now=now,
        ref=f"alarm:{schedule.id}",
        escalate_minutes=schedule.escalate_minutes,
    )


async def replan_working_days(now: datetime) -> list[Schedule]:
    """After the shop changed its days off: move each active working-day schedule to its next posting by the
    new calendar (a posting already due is left to the engine)."""
    calendar = await shop_calendar.current()
    moved: list[Schedule] = []
    for schedule in await Schedule.filter(state=ACTIVE, next_due_at__gt=now):
        if not on_working_days(from_json(schedule.rule)):
            continue
        upcoming = next_event(schedule, now, calendar)
        if upcoming == (schedule.next_due_at, schedule.next_kind):
            continue
        schedule.next_due_at, schedule.next_kind = upcoming if upcoming else (None, None)
        schedule.state = ACTIVE if upcoming else DONE
        await schedule.save(update_fields=["state", "next_due_at", "next_kind"])
        moved.append(changes.note(schedule))
    return moved


async def history(schedule: Schedule, limit: int = 20) -> list[Occurrence]:
    """A schedule's latest alarm postings, newest first."""
    return await Occurrence.filter(schedule_id=schedule.id, kind=ALARM).order_by("-due_at").limit(limit)
