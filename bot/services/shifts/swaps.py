"""Shift swaps: the other person agrees, then a supervisor approves; only then does the roster change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.enums import ScheduleKind
from bot.i18n import N_
from bot.models import Person, RosterShift, ShiftType, SwapRequest
from bot.services import audit
from bot.services.errors import UserError
from bot.services.shifts import leave
from bot.services.shifts import roster as shifts
from bot.services.team import people

ASKED, ACCEPTED, APPROVED, DECLINED, EXPIRED = "asked", "accepted", "approved", "declined", "expired"
PENDING = (ASKED, ACCEPTED)
TIMEOUT = timedelta(hours=24)
KIND = ScheduleKind.SWAP
"""The schedule kind of a swap's timeout."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a swap moves: the requester's shifts on `day` to the other, the other's on `their_day` back."""

    requester: Person
    other: Person
    day: date
    their_day: date | None
    mine: list[ShiftType]
    theirs: list[ShiftType]


async def held(person: Person, day: date) -> list[ShiftType]:
    """A person's shifts on one day."""
    return (await shifts.shifts_between(day, day, person.id)).get((person.id, day), [])


async def plan(requester: Person, other: Person, day: date, their_day: date | None, today: date) -> Plan:
    """Check a swap against the roster as it is now: both work the days named, and nobody ends up with
    overlapping shifts."""
    if requester.id == other.id:
        raise UserError(N_("You cannot swap with yourself: name a colleague, e.g. /swap @carol 12-05."))
    for when in (day, their_day):
        if when is not None and when < today:
            raise UserError(N_("{value} is past: swaps are for today or later."), value=when.isoformat())
    mine = await held(requester, day)
    if not mine:
        raise UserError(
            N_("{name} is not on the roster on {day}: there is no shift to swap."),
            name=requester.display_name,
            day=day.isoformat(),
        )
    theirs = await held(other, their_day) if their_day else []
    if their_day and not theirs:
        raise UserError(
            N_("{name} is not on the roster on {day}: there is no shift to swap."),
            name=other.display_name,
            day=their_day.isoformat(),
        )
    await refuse_leave(other, day)
    if their_day:
        await refuse_leave(requester, their_day)
    given = [t for t in await held(other, day) if not (their_day == day and t.id in {x.id for x in theirs})]
    shifts.check_day(other, day, given + mine)
    if their_day:
        kept = [
            t
            for t in await held(requester, their_day)
            if not (their_day == day and t.id in {x.id for x in mine})
        ]
        shifts.check_day(requester, their_day, kept + theirs)
    return Plan(requester, other, day, their_day, mine, theirs)


async def refuse_leave(taker: Person, day: date) -> None:
    """Nobody takes over a shift on a day of their asked or approved leave."""
    away = await leave.on_leave(taker.id, day)
    if away is not None:
        raise UserError(
            N_("{name} asked for leave on {day} (leave #{id}): they cannot take a shift that day."),
            name=taker.display_name,
            day=day.isoformat(),
            id=away.id,
        )


async def open_swap(person_id: int, first: date, last: date) -> SwapRequest | None:
    """An undecided swap the person is part of that touches a day in [first, last]."""
    days = Q(day__gte=first, day__lte=last) | Q(their_day__gte=first, their_day__lte=last)
    party = Q(requester_id=person_id) | Q(other_id=person_id)
    return await SwapRequest.filter(days, party, state__in=PENDING).order_by("id").first()


async def ask(found: Plan, *, chat_id: int, now: datetime) -> SwapRequest:
    """Store the request (one open request per person and day), audited."""
    if await SwapRequest.exists(requester_id=found.requester.id, day=found.day, state__in=PENDING):
        raise UserError(
            N_("You already asked for a swap on {day}: wait for the answer."), day=found.day.isoformat()
        )
    async with in_transaction() as conn:
        swap = await SwapRequest.create(
            requester_id=found.requester.id,
            other_id=found.other.id,
            day=found.day,
            their_day=found.their_day,
            chat_id=chat_id,
            expires_at=now + TIMEOUT,
            using_db=conn,
        )
        await audit.record(
            actor_id=found.requester.id,
            chat_id=chat_id,
            action="swap.ask",
            target=f"swap:{swap.id}",
            after=state_of(swap),
            using_db=conn,
        )
    return swap


def state_of(swap: SwapRequest) -> dict[str, object]:
    """A swap as stored in the audit log."""
    return {
        "requester": swap.requester_id,
        "other": swap.other_id,
        "day": swap.day.isoformat(),
        "their_day": swap.their_day.isoformat() if swap.their_day else None,
        "state": swap.state,
    }


async def plan_of(swap: SwapRequest, today: date) -> Plan:
    """Re-check a stored swap against today's roster."""
    requester = await people.get(swap.requester_id) or Person(id=swap.requester_id)
    other = await people.get(swap.other_id) or Person(id=swap.other_id)
    return await plan(requester, other, swap.day, swap.their_day, today)


async def move(swap: SwapRequest, to_state: str, *, actor_id: int | None, chat_id: int) -> SwapRequest | None:
    """Move a pending swap to its next state once (a second press finds it moved); audited."""
    allowed_from = (ASKED,) if to_state == ACCEPTED else PENDING
    async with in_transaction() as conn:
        updated = (
            await SwapRequest.filter(id=swap.id, state__in=allowed_from)
            .using_db(conn)
            .update(state=to_state, decided_by=actor_id)
        )
        if not updated:
            return None
        before = swap.state
        swap.state, swap.decided_by = to_state, actor_id
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action=f"swap.{to_state}",
            target=f"swap:{swap.id}",
            before={"state": before},
            after=state_of(swap),
            using_db=conn,
        )
    return swap


def moved(moves: list[tuple[Person, Person, date, list[ShiftType]]]) -> list[str]:
    """The shifts a swap moved, for the audit log."""
    return [
        f"{day.isoformat()} {t.name}: {giver.id}→{taker.id}" for giver, taker, day, ts in moves for t in ts
    ]


async def approve(swap: SwapRequest, *, actor_id: int, chat_id: int, today: date) -> Plan | None:
    """Apply an accepted swap to the roster with its audit entry; None when it was decided already.
    A swap the roster no longer allows is refused with the reason and stays open."""
    if swap.state != ACCEPTED:
        return None
    found = await plan_of(swap, today)
    async with in_transaction() as conn:
        updated = (
            await SwapRequest.filter(id=swap.id, state=ACCEPTED)
            .using_db(conn)
            .update(state=APPROVED, decided_by=actor_id)
        )
        if not updated:
            return None
        moves = [(found.requester, found.other, found.day, found.mine)]
        if found.their_day:
            moves.append((found.other, found.requester, found.their_day, found.theirs))
        for giver, taker, day, types in moves:
            await (
                RosterShift.filter(person_id=giver.id, day=day, shift_type_id__in=[t.id for t in types])
                .using_db(conn)
                .delete()
            )
            for shift_type in types:
                await RosterShift.create(
                    person_id=taker.id, day=day, shift_type=shift_type, created_by_id=actor_id, using_db=conn
                )
        swap.state, swap.decided_by = APPROVED, actor_id
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="swap.approved",
            target=f"swap:{swap.id}",
            before={"state": ACCEPTED},
            after=state_of(swap) | {"moved": moved(moves)},
            using_db=conn,
        )
    return found
