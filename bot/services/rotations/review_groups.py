"""Negative-review groups 1–4: who serves where (a stored rotation), escalating cases, counts for bonuses."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.enums import VOID, RecordKind, Role
from bot.i18n import N_
from bot.models import Person, Record, RecordEvent, Rotation
from bot.services import audit
from bot.services.errors import Msg, UserError
from bot.services.records import book as records
from bot.services.records.text import STATUS_LABELS
from bot.services.rotations import engine as rota

NAME = "review"
GROUPS = ("1", "2", "3", "4")
FIRST_GROUP, LAST_GROUP = 1, len(GROUPS)
DEFAULT_PERIOD = rota.Period(1, rota.MONTHS)
DEFAULT_AT = time(9, 0)
"""Handoffs at the start of the day shift unless the supervisor says otherwise."""
FINAL = ("revised", "failed")
CREDIT = "credit"
"""Where a case's history keeps whom a revision, failure or escalation is credited to."""
NO_MEMBERS = N_("Set the members first, e.g. /rotation members @bob @carol @dave.")


async def current() -> rota.RotationRule | None:
    """The review groups' rotation, or None before anybody set the members."""
    row = await Rotation.get_or_none(name=NAME)
    return rota.from_json(row.rule) if row else None


async def required() -> rota.RotationRule:
    """The rotation, or a clear error saying how to set it up."""
    rule = await current()
    if rule is None:
        raise UserError(NO_MEMBERS)
    return rule


async def _save(
    rule: rota.RotationRule, before: rota.RotationRule | None, *, actor_id: int, chat_id: int, action: str
) -> rota.RotationRule:
    """Store the rule with its audit entry in one transaction."""
    async with in_transaction() as conn:
        await Rotation.update_or_create(
            name=NAME, defaults={"rule": rota.to_json(rule), "updated_by": actor_id}, using_db=conn
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action=f"rotation.{action}",
            target=f"rotation:{NAME}",
            before=rota.to_json(before) if before else None,
            after=rota.to_json(rule),
            using_db=conn,
        )
    return rule


async def set_members(
    members: list[Person], *, actor_id: int, chat_id: int, zone: ZoneInfo, today: date
) -> rota.RotationRule:
    """Set who rotates, in order; the first set-up starts today with monthly handoffs at 09:00."""
    if not members:
        raise UserError(N_("Name the members, e.g. /rotation members @bob @carol @dave."))
    ids = [person.id for person in members]
    twice = next((person for person in members if ids.count(person.id) > 1), None)
    if twice is not None:
        raise UserError(N_("{name} is listed twice: name each member once."), name=twice.display_name)
    before = await current()
    rule = (
        dataclasses.replace(before, members=tuple(ids))
        if before
        else rota.RotationRule(tuple(ids), GROUPS, DEFAULT_PERIOD, today, DEFAULT_AT, zone.key)
    )
    return await _save(rule, before, actor_id=actor_id, chat_id=chat_id, action="members")


async def set_period(
    period: rota.Period | None, start: date | None, at: time | None, *, actor_id: int, chat_id: int
) -> rota.RotationRule:
    """Change the period, the first handoff day and the handoff time (what is not given stays)."""
    before = await required()
    rule = dataclasses.replace(
        before, period=period or before.period, start=start or before.start, at=at or before.at
    )
    return await _save(rule, before, actor_id=actor_id, chat_id=chat_id, action="period")


async def add_override(
    substitute: Person, absent: Person, first: date, last: date, *, actor_id: int, chat_id: int, today: date
) -> rota.RotationRule:
    """`substitute` takes `absent`'s place from `first` to `last`; refused if it cannot mean anything."""
    before = await required()
    if substitute.id == absent.id:
        raise UserError(
            N_("{name} cannot stand in for themselves: name two different people."), name=absent.display_name
        )
    if absent.id not in before.members:
        raise UserError(
            N_("{name} is not in the rotation: set the members with /rotation members."),
            name=absent.display_name,
        )
    if last < today:
        raise UserError(N_("That range ended on {day}: give days from today on."), day=last.isoformat())
    override = rota.Override(substitute.id, absent.id, first, last)
    kept = tuple(o for o in before.overrides if o.last >= today)
    await refuse_overlap(override, kept, substitute, absent)
    rule = dataclasses.replace(before, overrides=(*kept, override))
    return await _save(rule, before, actor_id=actor_id, chat_id=chat_id, action="override")


async def refuse_overlap(
    new: rota.Override, kept: Iterable[rota.Override], substitute: Person, absent: Person
) -> None:
    """One stand-in per person and day, and nobody standing in for two people on the same day."""
    for old in kept:
        if old.last < new.first or new.last < old.first:
            continue
        if old.absent == new.absent:
            message, other = (
                N_("{absent} already has a stand-in on {days}: {other}. Give other days."),
                old.substitute,
            )
        elif old.substitute == new.substitute:
            message, other = (
                N_("{substitute} already stands in for {other} on {days}: one seat at a time."),
                old.absent,
            )
        else:
            continue
        person = await Person.get_or_none(id=other)
        raise UserError(
            message,
            absent=absent.display_name,
            substitute=substitute.display_name,
            days=f"{old.first.isoformat()}..{old.last.isoformat()}",
            other=person.display_name if person else str(other),
        )


async def add_skip(day: date, *, actor_id: int, chat_id: int) -> rota.RotationRule:
    """No handoff on this date: one due then moves to the next day that is not skipped."""
    before = await required()
    if day in before.skips:
        raise UserError(N_("{day} is already skipped."), day=day.isoformat())
    rule = dataclasses.replace(before, skips=before.skips | {day})
    return await _save(rule, before, actor_id=actor_id, chat_id=chat_id, action="skip")


def case_group(record: Record) -> int:
    """The group a review case is with; every case starts in group 1."""
    return record.review_group or FIRST_GROUP


def can_escalate(record: Record) -> bool:
    """Whether a card offers Escalate: an open review case short of the last group."""
    return record.kind == RecordKind.REVIEW and records.is_open(record) and case_group(record) < LAST_GROUP


def in_case_group(
    rule: rota.RotationRule | None, roles: Iterable[Role], user_id: int, record: Record, now: datetime
) -> bool:
    """Whether a review member serves in the case's group now (before the rotation is set up: any of them)."""
    if Role.REVIEW not in frozenset(roles):
        return False
    return rule is None or rota.group_of(rule, user_id, now) == str(case_group(record))


def credited(
    rule: rota.RotationRule | None, roles: Iterable[Role], user_id: int, record: Record, now: datetime
) -> int | None:
    """Whom a case's bonus goes to when someone revises, fails or escalates it: the person pressing if they
    serve in the case's group, else the group's member when it has one; None when the group has several
    and the person pressing is none of them (a supervisor or manager acting for the group).

    Before the rotation is set up, any review member counts as serving in every group."""
    if rule is None:
        return user_id if Role.REVIEW in frozenset(roles) else None
    serving = rota.assignment(rule, now).get(str(case_group(record)), [])
    if user_id in serving:
        return user_id
    return int(serving[0]) if len(serving) == 1 else None


async def escalate(
    record: Record, expected: int, *, actor_id: int, chat_id: int, credit: int | None
) -> Record:
    """Hand a case to the next group, once even when two people press at the same time; history + audit
    (with whom the escalation is credited to)."""
    async with in_transaction() as conn:
        fresh = await Record.filter(id=record.id).using_db(conn).select_for_update().first()
        if fresh is None or fresh.kind != RecordKind.REVIEW:
            raise UserError(N_("This record no longer exists."))
        group = case_group(fresh)
        if not records.is_open(fresh):
            raise UserError(
                N_("{id} is {status}: it cannot be escalated."),
                id=fresh.short_id,
                status=Msg(STATUS_LABELS.get(fresh.status, fresh.status)),
            )
        if group != expected:
            raise UserError(N_("{id} was changed by someone else just now: look again."), id=fresh.short_id)
        if group >= LAST_GROUP:
            raise UserError(
                N_("{id} is with group {group}, the last one: it cannot go further."),
                id=fresh.short_id,
                group=group,
            )
        await Record.filter(id=fresh.id).using_db(conn).update(review_group=group + 1)
        fresh.review_group = group + 1
        await records.history_entry(
            fresh, actor_id, chat_id, "escalate", {"group": group}, {"group": group + 1, CREDIT: credit}, conn
        )
    return fresh


@dataclass(slots=True)
class Tally:
    """Cases one member or group closed or passed on in a month."""

    revised: int = 0
    failed: int = 0
    escalated: int = 0


@dataclass(slots=True)
class Stats:
    """A month's review work per member and per group, for the per-case bonus."""

    by_member: dict[int, Tally] = field(default_factory=dict)
    by_group: dict[int, Tally] = field(default_factory=dict)
    uncredited: Tally = field(default_factory=Tally)
    """Cases acted on by someone outside a group of several members: nobody's bonus until a lead decides."""


def credit_of(event: RecordEvent, after: dict[str, object]) -> int | None:
    """Whom an event is credited to (events from before credits were kept: whoever pressed)."""
    if CREDIT not in after:
        return int(event.actor_id)
    credit = after[CREDIT]
    return int(str(credit)) if credit is not None else None


async def stats(start: datetime, end: datetime) -> Stats:
    """Count the cases revised, failed or escalated in [start, end) per credited member and per group."""
    events = (
        await RecordEvent.filter(
            record__kind=RecordKind.REVIEW, action__in=["status", "escalate"], at__gte=start, at__lt=end
        )
        .exclude(record__status=VOID)
        .prefetch_related("record")
        .order_by("id")
    )
    result = Stats()
    for event in events:
        after = event.after if isinstance(event.after, dict) else {}
        before = event.before if isinstance(event.before, dict) else {}
        if event.action == "escalate":
            what, group = "escalated", int(str(before.get("group", FIRST_GROUP)))
        elif after.get("status") in FINAL:
            what, group = str(after["status"]), case_group(event.record)
        else:
            continue
        credit = credit_of(event, after)
        member = result.uncredited if credit is None else result.by_member.setdefault(credit, Tally())
        for tally in (member, result.by_group.setdefault(group, Tally())):
            setattr(tally, what, getattr(tally, what) + 1)
    return result
