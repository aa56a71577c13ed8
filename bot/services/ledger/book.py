"""The ledger: fines and rewards written with their audit entry, appealed once, kept or cancelled by managers.

Nothing is deleted: a cancelled entry stays in the book with who cancelled it and why, and counts no more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.enums import Role
from bot.i18n import N_
from bot.models import LedgerEntry, Person, RoleGrant
from bot.services import audit
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.records import fields
from bot.services.team import rules
from bot.services.when import Period, read_month
from bot.services.when.days import next_month

FINE, REWARD = "fine", "reward"
KINDS = (FINE, REWARD)
KEPT, CANCELLED = "kept", "cancelled"
MAX_REASON = 200
MAX_APPEAL = 300


async def money(text: str) -> Decimal:
    """An amount typed by a person: positive, at most 2 decimals, under the team's maximum (/config)."""
    return fields.amount(text, await rules.current())


def reason_text(text: str, limit: int = MAX_REASON) -> str:
    """A reason as stored: cleaned, required, cut to the column."""
    cleaned = clean(text)
    if not cleaned:
        raise UserError(N_("Say why, e.g. /fine @bob 50 ended a chat early."))
    return cleaned[:limit]


async def add(
    kind: str,
    user_id: int,
    amount: Decimal,
    reason: str,
    *,
    actor_id: int,
    chat_id: int | None = None,
    rule: str | None = None,
) -> LedgerEntry:
    """Write one fine or reward for `user_id` together with its audit entry (checked like typed money)."""
    if kind not in KINDS:
        raise ValueError(f"ledger kind must be one of {KINDS}, not {kind!r}")
    checked = await money(format(amount, "f"))
    text = reason_text(reason)
    async with in_transaction() as conn:
        entry = await LedgerEntry.create(
            kind=kind,
            person_id=user_id,
            amount=checked,
            reason=text,
            rule=rule,
            actor_id=actor_id,
            chat_id=chat_id,
            using_db=conn,
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action=f"ledger.{kind}",
            target=f"ledger:{entry.id}",
            after={"person": user_id, "amount": str(checked), "reason": text, "rule": rule},
            using_db=conn,
        )
    return entry


def entry_id(text: str) -> int:
    """`12` or `#12`: an entry's number as typed."""
    digits = text.strip().lstrip("#＃")
    if not digits.isdigit() or not 0 < int(digits) < 2**31:
        raise UserError(
            N_("“{value}” is not an entry number: use the # number from the message, e.g. 12."), value=text
        )
    return int(digits)


async def appeal(number: int, person_id: int, why: str, *, chat_id: int, now: datetime) -> LedgerEntry:
    """The fined person contests a fine, once; the entry keeps counting until a manager cancels it."""
    entry = await LedgerEntry.get_or_none(id=number)
    if entry is None or entry.person_id != person_id:
        raise UserError(N_("You have no fine #{id}."), id=number)
    if entry.kind != FINE:
        raise UserError(N_("Only fines can be appealed."))
    if entry.cancelled_at is not None:
        raise UserError(N_("Fine #{id} was already cancelled."), id=number)
    if entry.appeal is not None:
        raise UserError(N_("You already appealed against fine #{id}: a fine is appealed once."), id=number)
    text = clean(why)[:MAX_APPEAL]
    if not text:
        raise UserError(N_("Say why, e.g. /appeal 12 I was answering a buyer at the time."))
    async with in_transaction() as conn:
        changed = (
            await LedgerEntry.filter(id=number, appeal__isnull=True)
            .using_db(conn)
            .update(appeal=text, appealed_at=now)
        )
        if not changed:
            raise UserError(
                N_("You already appealed against fine #{id}: a fine is appealed once."), id=number
            )
        await audit.record(
            actor_id=person_id,
            chat_id=chat_id,
            action="ledger.appeal",
            target=f"ledger:{number}",
            after={"appeal": text},
            using_db=conn,
        )
    await entry.refresh_from_db()
    return entry


async def decide(
    entry: LedgerEntry, keep: bool, *, actor_id: int, chat_id: int, now: datetime
) -> LedgerEntry | None:
    """A manager keeps or cancels an appealed fine; None when somebody had already decided it.

    Cancelling reverses the fine: it stays in the book, marked with who cancelled it, when and on what
    appeal, and no longer counts in any total."""
    outcome = KEPT if keep else CANCELLED
    changes: dict[str, object] = {"outcome": outcome}
    if not keep:
        changes |= {"cancelled_at": now, "cancelled_by_id": actor_id, "cancel_reason": entry.appeal}
    async with in_transaction() as conn:
        changed = (
            await LedgerEntry.filter(
                id=entry.id, appeal__isnull=False, outcome__isnull=True, cancelled_at__isnull=True
            )
            .using_db(conn)
            .update(**changes)
        )
        if not changed:
            return None
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action=f"ledger.appeal.{outcome}",
            target=f"ledger:{entry.id}",
            before={"amount": str(entry.amount), "counts": True},
            after={"outcome": outcome, "counts": keep, "reason": entry.appeal},
            using_db=conn,
        )
    await entry.refresh_from_db()
    return entry


async def entries(period: Period, person_id: int | None = None) -> list[LedgerEntry]:
    """A period's entries (cancelled ones included), oldest first."""
    query = LedgerEntry.filter(at__gte=period.start, at__lt=period.end)
    if person_id is not None:
        query = query.filter(person_id=person_id)
    return await query.order_by("at", "id")


@dataclass(slots=True)
class Totals:
    """One person's month: what counts of their fines and rewards."""

    person_id: int
    fines: Decimal = Decimal("0.00")
    rewards: Decimal = Decimal("0.00")
    fine_count: int = 0
    reward_count: int = 0


def totals(found: list[LedgerEntry]) -> list[Totals]:
    """Per person, in the order they first appear; cancelled entries do not count."""
    by_person: dict[int, Totals] = {}
    for entry in found:
        mine = by_person.setdefault(entry.person_id, Totals(entry.person_id))
        if entry.cancelled_at is not None:
            continue
        if entry.kind == FINE:
            mine.fines += entry.amount
            mine.fine_count += 1
        else:
            mine.rewards += entry.amount
            mine.reward_count += 1
    return list(by_person.values())


def fund(found: list[LedgerEntry]) -> Decimal:
    """What the month's fines put into the team fund."""
    return sum((t.fines for t in totals(found)), Decimal("0.00"))


def month_of(year: int, month: int, zone: ZoneInfo) -> Period:
    """A calendar month of shop-local days."""
    first = date(year, month, 1)
    return Period(first, next_month(first), zone)


def read_ledger_month(text: str, today: date, zone: ZoneInfo) -> Period:
    """The month a person names (2026-11, 11月, 上个月, last month, none: this one), through the grammar."""
    return month_of(*read_month(text, today), zone)


def previous_month(moment: datetime, zone: ZoneInfo) -> Period:
    """The month before the one `moment` falls in, on the shop's wall (what the 1st's posting covers)."""
    first = (moment.astimezone(zone).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    return month_of(first.year, first.month, zone)


async def names_of(person_ids: Iterable[int]) -> dict[int, str]:
    """How the people in a ledger are named: @username, else first name, else the id."""
    wanted = set(person_ids)
    found = {person.id: person.display_name for person in await Person.filter(id__in=list(wanted))}
    return {person_id: found.get(person_id, str(person_id)) for person_id in wanted}


def people_in(found: list[LedgerEntry]) -> set[int]:
    """Everyone a list of entries names: the people, who wrote them, who cancelled them."""
    return {
        person
        for entry in found
        for person in (entry.person_id, entry.actor_id, entry.cancelled_by_id)
        if person is not None
    }


async def managers() -> list[int]:
    """Who decides appeals: every manager, in the order they were made one."""
    found = await RoleGrant.filter(role=Role.MANAGER).order_by("id").values_list("person_id", flat=True)
    return [int(str(person)) for person in found]
