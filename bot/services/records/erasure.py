"""Erasing customer data: on a buyer's request (/forget) and once the retention period is over.

China's PIPL expects personal information deleted on request and once its purpose is served. Erasing replaces
the personal fields (buyer ID, real name, phone, Alipay account, addresses) with a marker wherever the bot
kept them: the records, their history, their audit entries, the buyer's follow-ups (回访: the buyer ID, the
phone and the buyer's values in the note), and for /forget also handover items and alarm texts that mention
them. Amounts, ids, order and tracking numbers, statuses and counts stay, so reports, exports and finance's
totals keep working. The erasure itself is audited, without the values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from bot.enums import STATUS_FLOW, ScheduleKind
from bot.i18n import N_
from bot.models import AuditEntry, FollowUp, HandoverItem, Record, RecordEvent, Schedule
from bot.services import audit
from bot.services.errors import UserError
from bot.services.followups.book import DONE
from bot.services.masking import ERASED, PERSONAL_KEYS
from bot.services.records import fields as rf
from bot.services.records.book import BUYER_MAX, ORDER_MAX
from bot.services.scheduling import schedules
from bot.services.when import EVERY_DAY, Reading, Recurring

COLUMNS = {"buyer": "buyer", "phone": "phone", "address": "address"}
"""The personal fields kept in indexed columns; the others live in the record's JSON data."""
FREE_TEXT = frozenset({"text", "reason", "call"})
"""Keys whose text may mention a buyer (notes, reasons, a handover's buyer to call): erased where it does."""
SHORTEST_IN_TEXT = 2
"""A value shorter than this is not looked for inside free text (a one-letter name would hit every word)."""
CLOSING = ("status", "void", "reverse")
"""History entries that move a record on; the last one of a closed record says when it was closed."""
NOTHING = N_("Nothing to forget: no record or follow-up of that buyer, phone or order holds customer data.")
RETENTION_AT = time(3, 30)
"""The retention job runs daily at this shop time, when nobody is at work."""
LIVE = (schedules.ACTIVE, schedules.PAUSED)
BATCH = 200
"""Records erased per transaction by the retention job."""


@dataclass(slots=True)
class Erased:
    """What an erasure changed: counts only, never values."""

    records: list[str]
    events: int = 0
    audit: int = 0
    handover: int = 0
    alarms: int = 0
    followups: int = 0

    def summary(self) -> dict[str, object]:
        """The audit entry's content: ids and counts."""
        return {
            "records": self.records,
            "events": self.events,
            "audit": self.audit,
            "handover": self.handover,
            "alarms": self.alarms,
            "followups": self.followups,
        }


@dataclass(slots=True)
class Found:
    """What /forget would erase: a buyer's records, and their follow-ups (a buyer may have only those)."""

    records: list[Record]
    followups: list[FollowUp]

    def __bool__(self) -> bool:
        return bool(self.records or self.followups)


class Scrubber:
    """Replaces one buyer's values: every personal field of their records, and the values inside free text."""

    def __init__(self, values: Iterable[str]) -> None:
        wanted = {v for v in values if len(v) >= SHORTEST_IN_TEXT and v != ERASED}
        self.words = sorted(wanted, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, self.words)), re.IGNORECASE) if self.words else None

    def text(self, value: str) -> str:
        """Free text with the values in it replaced by the marker."""
        return self.pattern.sub(ERASED, value) if self.pattern else value

    def payload(self, value: object, *, owned: bool) -> object:
        """History or audit JSON: personal keys erased when it is about the buyer's own records (`owned`),
        free text scrubbed of the values; ids, amounts, statuses and photos stay."""
        if isinstance(value, list):
            return [self.payload(item, owned=owned) for item in value]
        if not isinstance(value, dict):
            return value
        kept: dict[str, object] = {}
        for key, item in value.items():
            if owned and key in PERSONAL_KEYS and item not in (None, ""):
                kept[key] = ERASED
            elif key in FREE_TEXT and isinstance(item, str):
                kept[key] = self.text(item)
            else:
                kept[key] = self.payload(item, owned=owned)
        return kept


def personal_values(payload: object) -> set[str]:
    """The personal values in a record's data, a history entry or an audit entry."""
    if isinstance(payload, list):
        return set().union(*(personal_values(item) for item in payload))
    if not isinstance(payload, dict):
        return set()
    found = {str(v) for k, v in payload.items() if k in PERSONAL_KEYS and v not in (None, "", ERASED)}
    return found.union(*(personal_values(v) for v in payload.values()))


def values_of(records: Iterable[Record], events: Iterable[RecordEvent]) -> set[str]:
    """Every personal value records hold or held (an edit's old phone lives on in their history)."""
    values: set[str] = set()
    for record in records:
        values |= personal_values(record.data)
        values |= {str(getattr(record, column)) for column in COLUMNS if getattr(record, column)}
    for event in events:
        values |= personal_values(event.before) | personal_values(event.after)
    return values - {ERASED}


async def matching(text: str) -> Found:
    """What /forget would erase: the records of the buyer ID, phone or order typed, then every record of the
    same buyer ID or phone (a buyer's other orders), and the follow-ups of any of those buyers, phones or
    orders; what was erased already is left out."""
    cleaned = text.strip()
    if not cleaned or cleaned == ERASED:
        raise UserError(N_("Forget whom? Give a buyer ID, a phone number or an order number."))
    digits = re.sub(r"[\s-]", "", cleaned)
    phone = rf.PHONE.match(digits)
    buyers = [cleaned.lower()] if len(cleaned) <= BUYER_MAX else []
    phones = [phone[1]] if phone else []
    orders = [digits] if digits.isascii() and digits.isdigit() and len(digits) <= ORDER_MAX else []
    if not (buyers or phones or orders):
        return Found([], [])
    typed = [Q(buyer__in=buyers), Q(phone__in=phones), Q(order_no__in=orders)]
    seeds = await Record.filter(Q(*typed, join_type="OR"), erased_at__isnull=True)
    buyers += sorted({str(r.buyer) for r in seeds if r.buyer})
    phones += sorted({str(r.phone) for r in seeds if r.phone})
    same = [Q(id__in=[r.id for r in seeds]), Q(buyer__in=buyers), Q(phone__in=phones)]
    found = await Record.filter(Q(*same, join_type="OR"), erased_at__isnull=True).order_by("id")
    orders += sorted({str(r.order_no) for r in found if r.order_no})
    return Found(found, await followups_of(buyers, phones, orders))


def kept() -> Q:
    """Follow-ups not erased yet (erasing marks the buyer, which may have been empty)."""
    return Q(buyer__isnull=True) | ~Q(buyer=ERASED)


async def followups_of(buyers: list[str], phones: list[str], orders: list[str]) -> list[FollowUp]:
    """Follow-ups not erased yet of these buyer IDs (in any case), phones or orders."""
    named = [Q(buyer__iexact=buyer) for buyer in buyers]
    named += [Q(phone__in=phones), Q(order_no__in=orders)]
    return await FollowUp.filter(Q(*named, join_type="OR"), kept()).order_by("id")


async def _rewrite(
    row: RecordEvent | AuditEntry, scrub: Scrubber, conn: BaseDBAsyncClient, *, owned: bool
) -> bool:
    """Store a history or audit entry's before/after with the personal data replaced; whether it changed."""
    before, after = scrub.payload(row.before, owned=owned), scrub.payload(row.after, owned=owned)
    if (before, after) == (row.before, row.after):
        return False
    await type(row).filter(id=row.id).using_db(conn).update(before=before, after=after)
    return True


async def _erase_records(
    found: list[Record], events: list[RecordEvent], scrub: Scrubber, now: datetime, conn: BaseDBAsyncClient
) -> Erased:
    """Erase records (read in this transaction), their history and their audit entries."""
    for record in found:
        columns = {column: ERASED for column in COLUMNS if getattr(record, column)}
        data = scrub.payload(record.data, owned=True)
        await Record.filter(id=record.id).using_db(conn).update(data=data, erased_at=now, **columns)
    erased = Erased([record.short_id for record in found])
    for event in events:
        erased.events += await _rewrite(event, scrub, conn, owned=True)
    entries = await AuditEntry.filter(target__in=erased.records, action__startswith="record.").using_db(conn)
    for entry in entries:
        erased.audit += await _rewrite(entry, scrub, conn, owned=True)
    return erased


async def _erase_mentions(scrub: Scrubber, buyers: set[str], conn: BaseDBAsyncClient, erased: Erased) -> None:
    """Handover items and alarm texts (a pre-sale note) that name the buyer, and their audit entries."""
    words = [Q(text__icontains=word) for word in scrub.words]
    if not words:
        return
    named = Q(*words, Q(call_buyer__in=sorted(buyers)), join_type="OR")
    items = await HandoverItem.filter(named).using_db(conn)
    for item in items:
        call = ERASED if item.call_buyer and item.call_buyer.lower() in buyers else item.call_buyer
        text = scrub.text(item.text)
        await HandoverItem.filter(id=item.id).using_db(conn).update(text=text, call_buyer=call)
    alarms = await Schedule.filter(Q(*words, join_type="OR")).using_db(conn)
    for schedule in alarms:
        await Schedule.filter(id=schedule.id).using_db(conn).update(text=scrub.text(schedule.text))
    targets = [f"handover:{item.id}" for item in items] + [f"alarm:{schedule.id}" for schedule in alarms]
    for entry in await AuditEntry.filter(target__in=targets).using_db(conn):
        erased.audit += await _rewrite(entry, scrub, conn, owned=False)
    erased.handover, erased.alarms = len(items), len(alarms)


async def _erase_followups(followups: list[FollowUp], scrub: Scrubber, conn: BaseDBAsyncClient) -> int:
    """Follow-ups lose the buyer ID, the phone, and the values of `scrub` in their note; how many."""
    for followup in followups:
        await (
            FollowUp.filter(id=followup.id)
            .using_db(conn)
            .update(buyer=ERASED, phone=ERASED if followup.phone else None, note=scrub.text(followup.note))
        )
    return len(followups)


async def forget(
    record_ids: list[int], followup_ids: list[int], *, actor_id: int, chat_id: int, now: datetime
) -> Erased:
    """Erase a buyer's personal data everywhere the bot kept it, in one transaction, audited without it."""
    async with in_transaction() as conn:
        fresh = await Record.filter(id__in=record_ids, erased_at__isnull=True).using_db(conn).order_by("id")
        followups = await FollowUp.filter(kept(), id__in=followup_ids).using_db(conn)
        if not fresh and not followups:
            raise UserError(NOTHING)
        events = await RecordEvent.filter(record_id__in=[r.id for r in fresh]).using_db(conn)
        values = values_of(fresh, events) | {str(v) for f in followups for v in (f.buyer, f.phone) if v}
        scrub = Scrubber(values)
        erased = await _erase_records(fresh, events, scrub, now, conn)
        named = [r.buyer for r in fresh] + [f.buyer for f in followups]
        buyers = {str(buyer).lower() for buyer in named if buyer}
        await _erase_mentions(scrub, buyers, conn, erased)
        erased.followups = await _erase_followups(followups, scrub, conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="privacy.forget",
            target=f"{len(fresh)} records",
            after=erased.summary(),
            using_db=conn,
        )
    return erased


async def _expire_followups(cutoff: datetime) -> int:
    """Follow-ups done before `cutoff` lose their buyer's data, in batches; how many."""
    total = 0
    while found := await FollowUp.filter(kept(), state=DONE, done_at__lt=cutoff).limit(BATCH):
        async with in_transaction() as conn:
            for followup in found:
                own = Scrubber(str(value) for value in (followup.buyer, followup.phone) if value)
                await _erase_followups([followup], own, conn)
        total += len(found)
    return total


def closed() -> Q:
    """Records that cannot move on: paid, resolved, closed, fixed, revised, failed, void, reversed."""
    open_now = [Q(kind=kind, status__in=list(flow)) for kind, flow in STATUS_FLOW.items()]
    return ~Q(*open_now, join_type="OR")


async def expire(days: int, *, now: datetime, actor_id: int | None) -> int:
    """The retention period: erase the personal data of records closed more than `days` days ago (each
    from its own history and audit entries), and of follow-ups done that long ago; one summary audit entry
    for the run. Returns how many records and follow-ups."""
    cutoff = now - timedelta(days=days)
    total = 0
    while True:
        ids = await (
            Record.filter(closed(), erased_at__isnull=True)
            .annotate(closed_at=Max("events__at", _filter=Q(events__action__in=CLOSING)))
            .filter(closed_at__lt=cutoff)
            .order_by("id")
            .limit(BATCH)
            .values_list("id", flat=True)
        )
        if not ids:
            break
        async with in_transaction() as conn:
            found = await Record.filter(id__in=list(ids), erased_at__isnull=True).using_db(conn)
            events = await RecordEvent.filter(record_id__in=list(ids)).using_db(conn)
            for record in found:
                own = [event for event in events if event.record_id == record.id]  # type: ignore[attr-defined]
                await _erase_records([record], own, Scrubber(values_of([record], own)), now, conn)
        total += len(ids)
    total += await _expire_followups(now - timedelta(days=days))
    if total:
        await audit.record(
            actor_id=actor_id,
            chat_id=None,
            action="privacy.retention",
            target=f"{total} records",
            after={"records": total, "days": days},
        )
    return total


async def ensure_daily(on: bool, *, owner_id: int, zone: ZoneInfo, now: datetime) -> None:
    """Keep the daily retention job in step with the setting (at start): one schedule when on, else none."""
    live = await Schedule.filter(kind=ScheduleKind.RETENTION, state__in=LIVE).order_by("id")
    for extra in live[1:] if on else live:
        await schedules.set_state(extra, schedules.DELETED, actor_id=owner_id, now=now)
    if on and not live:
        await schedules.create(
            kind=ScheduleKind.RETENTION,
            chat_id=0,
            owner_id=owner_id,
            parsed=Reading(Recurring(RETENTION_AT, EVERY_DAY), "retention", None),
            zone=zone,
            now=now,
            escalate_minutes=None,
        )
