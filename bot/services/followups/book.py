"""Follow-ups as records: opened by (or for) their owner, answered Done / Called / No answer, overdue after
their deadline. A buyer unanswered for a week is phoned (the phone stage); the supervisors hear of a
follow-up past its deadline once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.enums import VOID, RecordKind
from bot.i18n import N_
from bot.models import FollowUp, Person, Record
from bot.services import audit
from bot.services.clean import clean as clean_text
from bot.services.errors import UserError
from bot.services.records import fields as rf
from bot.services.team.rules import Rules

OPEN, DONE = "open", "done"
PHONE_AFTER = timedelta(days=7)
"""A buyer who has not answered on the platform chat within a week is phoned (the rulebook's week)."""
DEADLINE = timedelta(days=10)
"""A week of chat, then three days to reach the buyer by phone: past this the supervisors are told."""
SILENT_WORDS = {"silent", "静默", "静默客户"}
MAX_NOTE = 255
BAD_REVIEWS = ("medium", "negative")
OUTCOMES = ("done", "called", "noanswer")


@dataclass(frozen=True, slots=True)
class Draft:
    """What `/followup <order> <buyer> [phone] [@owner] [note]` asked for."""

    order_no: str
    buyer: str
    phone: str | None
    owner: str | None
    note: str
    silent: bool


def parse(words: list[str], rules: Rules) -> Draft:
    """Read the order, the buyer's platform ID, an optional phone, @owner and `silent`, the rest a note."""
    silent = any(word.lower() in SILENT_WORDS for word in words)
    rest = [word for word in words if word.lower() not in SILENT_WORDS]
    owner = next((word for word in rest if word.startswith("@")), None)
    rest = [word for word in rest if word != owner]
    if len(rest) < 2:
        raise UserError(N_("Say the order and the buyer, e.g. /followup 123456789012345678 tb_lee."))
    order_no = rf.order_number(rest[0], rules)
    phone = next(
        (found[1] for word in rest[2:] if (found := rf.PHONE.match(re.sub(r"[\s-]", "", word)))), None
    )
    note = " ".join(word for word in rest[2:] if not rf.PHONE.match(re.sub(r"[\s-]", "", word)))
    return Draft(order_no, clean_text(rest[1])[:64], phone, owner, clean_text(note)[:MAX_NOTE], silent)


def state_of(followup: FollowUp) -> dict[str, object]:
    """A follow-up as the audit log keeps it (no phone number: the log is shown in groups)."""
    return {
        "order": followup.order_no,
        "owner": followup.owner_id,
        "state": followup.state,
        "attempts": followup.attempts,
        "silent": followup.silent,
    }


async def open_one(draft: Draft, owner: Person, *, actor_id: int, chat_id: int, now: datetime) -> FollowUp:
    """Store a follow-up with its audit entry; one open follow-up per order."""
    if await FollowUp.exists(order_no=draft.order_no, state=OPEN):
        raise UserError(N_("Order {value} already has an open follow-up."), value=draft.order_no)
    async with in_transaction() as conn:
        followup = await FollowUp.create(
            order_no=draft.order_no,
            buyer=draft.buyer,
            phone=draft.phone,
            note=draft.note,
            silent=draft.silent,
            owner_id=owner.id,
            author_id=actor_id,
            chat_id=chat_id,
            created_at=now,
            due_at=now + DEADLINE,
            using_db=conn,
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="followup.open",
            target=f"followup:{followup.id}",
            after=state_of(followup),
            using_db=conn,
        )
    return followup


def days_open(followup: FollowUp, now: datetime, zone: ZoneInfo) -> int:
    """Which day of the follow-up this is by the shop's calendar (the day it was opened is day 1)."""
    return (now.astimezone(zone).date() - followup.created_at.astimezone(zone).date()).days + 1


def needs_call(followup: FollowUp, now: datetime, zone: ZoneInfo) -> bool:
    """The phone stage: still open a week after it was opened (day 8 on)."""
    return followup.state == OPEN and days_open(followup, now, zone) > PHONE_AFTER.days


def is_overdue(followup: FollowUp, now: datetime) -> bool:
    """Still open past its deadline."""
    return followup.state == OPEN and now > followup.due_at


async def answer(followup: FollowUp, outcome: str, *, actor_id: int, chat_id: int, now: datetime) -> bool:
    """Done / Called close a follow-up (a call noted with its time); No answer counts a try. False when it
    was closed meanwhile (a second press)."""
    async with in_transaction() as conn:
        fresh = await FollowUp.filter(id=followup.id).using_db(conn).select_for_update().first()
        if fresh is None or fresh.state != OPEN:
            return False
        before = state_of(fresh)
        fresh.attempts += 1
        fresh.last_try_at = now
        if outcome == "called":
            fresh.called_at = now
        if outcome in ("done", "called"):
            fresh.state, fresh.done_at = DONE, now
        await fresh.save(using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action=f"followup.{outcome}",
            target=f"followup:{fresh.id}",
            before=before,
            after=state_of(fresh),
            using_db=conn,
        )
    followup.state, followup.attempts, followup.called_at = fresh.state, fresh.attempts, fresh.called_at
    return True


async def open_of(owner_id: int | None = None) -> list[FollowUp]:
    """Open follow-ups (of one owner), oldest first."""
    query = FollowUp.filter(state=OPEN)
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    return await query.order_by("created_at", "id")


async def to_flag(now: datetime) -> list[FollowUp]:
    """Open follow-ups past their deadline the supervisors have not heard of yet."""
    return await FollowUp.filter(state=OPEN, due_at__lt=now, flagged_at=None).order_by("due_at", "id")


async def mark_flagged(followups: list[FollowUp], now: datetime) -> None:
    """The supervisors were told: they are not told again."""
    await FollowUp.filter(id__in=[f.id for f in followups]).update(flagged_at=now)


@dataclass(frozen=True, slots=True)
class MissedFollowUp:
    """A medium or negative review logged for an order whose follow-up was overdue."""

    review: str
    order_no: str
    owner_id: int
    silent: bool


def was_overdue(followup: FollowUp, at: datetime) -> bool:
    """Whether a follow-up had passed its deadline undone by an instant."""
    return followup.due_at < at and (followup.done_at is None or followup.done_at > followup.due_at)


async def overdue_followup_orders(start: datetime, end: datetime) -> list[MissedFollowUp]:
    """The month's (or any period's) medium/negative reviews whose order's follow-up was overdue when the
    review was logged: marked in /review stats, and what the monthly ledger charges (the rulebook's 100 CNY,
    50 from everyone for a silent customer)."""
    reviews = (
        await Record.filter(
            kind=RecordKind.REVIEW, created_at__gte=start, created_at__lt=end, subkind__in=BAD_REVIEWS
        )
        .exclude(status=VOID)
        .exclude(order_no=None)
        .order_by("id")
    )
    if not reviews:
        return []
    followups = await FollowUp.filter(order_no__in={r.order_no for r in reviews}).order_by("id")
    found = []
    for review in reviews:
        late = next(
            (f for f in followups if f.order_no == review.order_no and was_overdue(f, review.created_at)),
            None,
        )
        if late is not None:
            found.append(MissedFollowUp(review.short_id, late.order_no, late.owner_id, late.silent))
    return found
