"""Leave (请假): asked of the supervisors, approved or declined by one of them; approved leave takes the
person's shifts off those roster days. More than two days asked less than a week ahead is flagged (the
rulebook wants a week's notice) but may still be approved. Leave colliding with an open swap is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import LeaveRequest, Person, RosterShift
from bot.services import audit
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.shifts import swaps
from bot.services.when import read_range

ASKED, APPROVED, DECLINED = "asked", "approved", "declined"
HOLDING = (ASKED, APPROVED)
"""Leave that blocks the days it names: asked (waiting) or approved."""
NOTICE = timedelta(days=7)
LONG_DAYS = 2
MAX_DAYS = 31
MAX_REASON = 255


@dataclass(frozen=True, slots=True)
class Ask:
    """What `/leave <dates> <reason>` asked for."""

    first: date
    last: date
    reason: str


def parse(words: list[str], today: date) -> Ask:
    """The longest leading run of words that reads as one stretch of days, then the reason."""
    for cut in range(len(words), 0, -1):
        try:
            first, last = read_range(" ".join(words[:cut]), today)
        except UserError:
            continue
        reason = clean(" ".join(words[cut:]))[:MAX_REASON]
        if not reason:
            raise UserError(N_("Say why, e.g. /leave 12-14..12-15 family wedding."))
        return Ask(first, last, reason)
    raise UserError(N_("Say which days and why, e.g. /leave 12-14..12-15 family wedding."))


def day_count(request: LeaveRequest | Ask) -> int:
    """How many days the leave covers."""
    first, last = (
        (request.first, request.last) if isinstance(request, Ask) else (request.first_day, request.last_day)
    )
    return (last - first).days + 1


def short_notice(asked: Ask, today: date) -> bool:
    """More than two days, starting less than a week from today."""
    return day_count(asked) > LONG_DAYS and asked.first - today < NOTICE


async def on_leave(person_id: int, first: date, last: date | None = None) -> LeaveRequest | None:
    """A person's asked or approved leave overlapping [first, last]."""
    return (
        await LeaveRequest.filter(
            person_id=person_id, state__in=HOLDING, first_day__lte=last or first, last_day__gte=first
        )
        .order_by("id")
        .first()
    )


def state_of(request: LeaveRequest) -> dict[str, object]:
    """A leave request as the audit log keeps it."""
    return {
        "person": request.person_id,
        "first": request.first_day.isoformat(),
        "last": request.last_day.isoformat(),
        "reason": request.reason,
        "short_notice": request.short_notice,
        "state": request.state,
    }


async def refuse_collisions(person: Person, first: date, last: date) -> None:
    """Leave may not cover a day of an open swap the person is part of."""
    swap = await swaps.open_swap(person.id, first, last)
    if swap is not None:
        raise UserError(
            N_("Swap #{id} on {day} is still open: settle it before taking leave then."),
            id=swap.id,
            day=swap.day.isoformat(),
        )


async def ask(person: Person, asked: Ask, *, chat_id: int, today: date) -> LeaveRequest:
    """Store a leave request (audited) after checking the days: not past, not too many, no overlap."""
    if asked.first < today:
        raise UserError(
            N_("{value} is past: leave is asked for today or later."), value=asked.first.isoformat()
        )
    if day_count(asked) > MAX_DAYS:
        raise UserError(N_("Leave is asked for at most {limit} days at a time."), limit=MAX_DAYS)
    held = await on_leave(person.id, asked.first, asked.last)
    if held is not None:
        raise UserError(
            N_("You already asked for leave from {first} to {last} (#{id})."),
            first=held.first_day.isoformat(),
            last=held.last_day.isoformat(),
            id=held.id,
        )
    await refuse_collisions(person, asked.first, asked.last)
    async with in_transaction() as conn:
        request = await LeaveRequest.create(
            person_id=person.id,
            first_day=asked.first,
            last_day=asked.last,
            reason=asked.reason,
            short_notice=short_notice(asked, today),
            chat_id=chat_id,
            using_db=conn,
        )
        await audit.record(
            actor_id=person.id,
            chat_id=chat_id,
            action="leave.ask",
            target=f"leave:{request.id}",
            after=state_of(request),
            using_db=conn,
        )
    return request


async def decide(request: LeaveRequest, approve: bool, *, actor_id: int, chat_id: int) -> list[str] | None:
    """Approve (the person's shifts on those days come off the roster) or decline, once, audited; the shifts
    taken off, or None when someone decided it already."""
    if approve:
        await refuse_collisions(Person(id=request.person_id), request.first_day, request.last_day)
    to_state = APPROVED if approve else DECLINED
    async with in_transaction() as conn:
        updated = (
            await LeaveRequest.filter(id=request.id, state=ASKED)
            .using_db(conn)
            .update(state=to_state, decided_by=actor_id)
        )
        if not updated:
            return None
        entries = (
            await RosterShift.filter(
                person_id=request.person_id, day__gte=request.first_day, day__lte=request.last_day
            )
            .using_db(conn)
            .prefetch_related("shift_type")
            .order_by("day", "id")
            if approve
            else []
        )
        removed = [f"{entry.day.isoformat()} {entry.shift_type.name}" for entry in entries]
        if entries:
            await RosterShift.filter(id__in=[entry.id for entry in entries]).using_db(conn).delete()
        request.state, request.decided_by = to_state, actor_id
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action=f"leave.{to_state}",
            target=f"leave:{request.id}",
            before={"state": ASKED},
            after=state_of(request) | {"off": removed},
            using_db=conn,
        )
    return removed


async def approved_between(first: date, last: date) -> list[LeaveRequest]:
    """Approved leave overlapping [first, last], for /today and /roster."""
    return await LeaveRequest.filter(state=APPROVED, first_day__lte=last, last_day__gte=first).order_by(
        "first_day", "id"
    )
