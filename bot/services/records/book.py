"""Records by command: parse, check, store with history and audit, find, change status, edit and void."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.enums import INITIAL_STATUS, RECORD_PREFIX, REVERSED, STATUS_FLOW, VOID, RecordKind
from bot.i18n import N_
from bot.models import Record, RecordEvent
from bot.services import audit, masking
from bot.services import sql_portable as sql
from bot.services.clean import clean
from bot.services.errors import Msg, UserError
from bot.services.records import fields as rf
from bot.services.records import refunds, storage
from bot.services.records.storage import snapshot
from bot.services.records.text import STATUS_LABELS
from bot.services.team.rules import Rules

POSITIONAL: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.REFUND: ("order", "amount"),
    RecordKind.COURIER: ("tracking", "subkind"),
    RecordKind.COMPLAINT: ("order", "subkind"),
    RecordKind.PROBLEM: ("order", "subkind"),
    RecordKind.REVIEW: ("order", "buyer", "subkind"),
}
"""The words each command takes before free text and key=value fields."""

REST_FIELD: dict[RecordKind, str] = {
    RecordKind.REFUND: "reason",
    RecordKind.COURIER: "text",
    RecordKind.COMPLAINT: "text",
    RecordKind.PROBLEM: "text",
    RecordKind.REVIEW: "text",
}
"""Where the remaining plain words go: the refund's reason, the others' description."""

REQUIRED: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.REFUND: ("order", "amount"),
    RecordKind.COURIER: ("tracking", "subkind", "carrier"),
    RecordKind.COMPLAINT: ("order", "subkind", "text"),
    RecordKind.PROBLEM: ("order", "subkind"),
    RecordKind.REVIEW: ("order", "buyer", "subkind"),
}
SUBKIND_REQUIRES: dict[str, tuple[str, ...]] = {"change-address": ("from", "to"), "weigh": ("origin", "last")}
INDEXED = ("order", "tracking", "buyer", "phone", "address", "amount")
CLAIM_KINDS = (RecordKind.REFUND, RecordKind.COMPLAINT)
BUYER_MAX = Record._meta.fields_map["buyer"].max_length  # type: ignore[attr-defined]
ORDER_MAX = Record._meta.fields_map["order_no"].max_length  # type: ignore[attr-defined]
ADDRESS_MAX = Record._meta.fields_map["address"].max_length  # type: ignore[attr-defined]
JSON_MATCHES = 1000
"""At most this many records found by a real name or Alipay account (a name may be common)."""
DECIMAL_FIELDS = frozenset({"amount", "origin", "last"})
SHORT_ID = re.compile(r"^([A-Za-z])-?(\d{1,9})$")
PAGE_SIZE = 10
REPEAT_OF = "repeat_of"
KEPT_DATA = ("photos", REPEAT_OF)
"""What a record's data holds beyond its fields, kept through edits."""
NUMBER_RETRIES = 5
CREATING = "record.create"
"""Records are created one at a time: each takes the next number of its kind, and the duplicate check sees
the record logged an instant before (fifty people at once on PostgreSQL ran out of retries otherwise)."""


@dataclass(slots=True)
class Draft:
    """A checked record that is not stored yet."""

    kind: RecordKind
    values: dict[str, rf.Value]
    subkind: str | None = None
    photo: str | None = None


@dataclass(slots=True)
class Created:
    """The outcome of logging: the stored record, or the open duplicate that stopped it, and claim history."""

    record: Record | None = None
    duplicate: Record | None = None
    earlier_claims: list[Record] = field(default_factory=list)
    claim_days: int = 0
    """The repeat-claimant window the earlier claims were counted in, in days."""


def parse(kind: RecordKind, words: list[str], rules: Rules, photo: str | None = None) -> Draft:
    """Read a command's words into a checked draft, or raise UserError naming the field."""
    plain, values = rf.key_values(words, rules)
    slots = [name for name in POSITIONAL[kind] if name not in values]
    sub: str | None = None
    for name, word in zip(slots, plain, strict=False):
        if name == "subkind":
            sub = rf.subkind(kind, word)
        else:
            values[name] = rf.FIELD_BY_KEY[name].parse(word, rules)
    rest = plain[len(slots) :]
    run_ons = rf.run_ons(words)
    for place, word in enumerate(rest, start=len(slots)):
        if place in run_ons:
            raise rf.run_on_error(word, *run_ons[place])
    if rest and REST_FIELD[kind] not in values:
        values[REST_FIELD[kind]] = rf.text(" ".join(rest), rules)
    if kind == RecordKind.COURIER and "carrier" not in values and "tracking" in values:
        detected = rf.carrier_from_number(str(values["tracking"]))
        if detected:
            values["carrier"] = detected
    missing = [name for name in REQUIRED[kind] if name not in values and not (name == "subkind" and sub)]
    missing += [name for name in SUBKIND_REQUIRES.get(sub or "", ()) if name not in values]
    if missing:
        raise missing_field(kind, missing[0])
    return Draft(kind, values, sub, photo)


def missing_field(kind: RecordKind, name: str) -> UserError:
    """The error for a required field left out, saying what to type."""
    if name == "carrier":
        return UserError(
            N_("Which carrier? The number does not say. Add carrier=… : {choices}."),
            choices=rf.carrier_list(),
        )
    if name == "subkind":
        return UserError(N_("Which kind? Kinds: {choices}."), choices=rf.subkind_list(kind))
    spec = rf.FIELD_BY_KEY[name]
    return UserError(
        N_("Missing field: {field}."), field=f"{name}= ({spec.aliases[0]}=)" if spec.aliases else name
    )


def parse_short_id(text: str) -> tuple[RecordKind, int]:
    """`R-12` (or `r12`) → (refund, 12)."""
    match = SHORT_ID.match(text.strip())
    kinds = {prefix: kind for kind, prefix in RECORD_PREFIX.items()}
    if not match or match.group(1).upper() not in kinds:
        raise UserError(N_("“{value}” is not a record id like R-12, K-3, C-7, P-4 or N-9."), value=text)
    return kinds[match.group(1).upper()], int(match.group(2))


async def get(short_id: str) -> Record:
    """A record by its short id, or a clear error."""
    kind, number = parse_short_id(short_id)
    record = await Record.get_or_none(kind=kind, number=number)
    if record is None:
        raise UserError(N_("There is no record {value}."), value=short_id.upper())
    return record


def is_open(record: Record) -> bool:
    """Whether a record can still move on (not final, not void)."""
    return record.status in STATUS_FLOW[RecordKind(record.kind)]


def duplicate_in(draft: Draft, same: list[Record]) -> Record | None:
    """Among the records of the same order (same tracking number and query kind for courier queries: asking
    to weigh a parcel that is also overdue is a second query, not a repeat), a refund finance has in hand or
    has paid, else an open one."""
    paid = [record for record in same if draft.kind == RecordKind.REFUND and refunds.is_frozen(record)]
    return next(iter(paid), None) or next((record for record in same if is_open(record)), None)


def same_columns(draft: Draft) -> dict[str, object]:
    """The columns a duplicate of a draft shares with it (none when the draft has no order or parcel)."""
    key, column = ("tracking", "tracking_no") if draft.kind == RecordKind.COURIER else ("order", "order_no")
    if draft.values.get(key) is None:
        return {}
    return {
        column: draft.values[key],
        **({"subkind": draft.subkind} if draft.kind == RecordKind.COURIER else {}),
    }


def claimant_columns(kind: RecordKind, columns: Mapping[str, object]) -> dict[str, object]:
    """The columns an earlier claim by the same person shares with a new record: buyer, phone, address (none
    for kinds that are not claims)."""
    if kind not in CLAIM_KINDS:
        return {}
    matchers = {name: columns[name] for name in ("buyer", "phone", "address")}
    return {name: value for name, value in matchers.items() if value and value != masking.ERASED}


async def create(
    draft: Draft, *, author_id: int, chat_id: int, rules: Rules, now: datetime, force: bool = False
) -> Created:
    """Store a draft unless a duplicate exists (and `force` is off); committed before returning.

    A refund lacking what finance needs is stored as a draft; one whose order finance already has in hand
    or has paid remembers those refunds, so its card and finance's table say so. Earlier refunds and
    complaints by the same person are reported once there are enough of them in the window to warn about.
    The checks and the insert are one transaction, and records are created one at a time, so two people
    logging the same order at once store one record and the other sees it as the duplicate."""

    def plan() -> sql.Plan[Created]:
        """Look, then store unless a duplicate stops it."""
        columns = _columns(draft, rules, now)
        since = now - timedelta(days=rules.repeat_days)
        claimant = claimant_columns(draft.kind, columns)
        looked = yield from storage.looking(draft.kind, same_columns(draft), claimant, CLAIM_KINDS, since)
        if not force and (duplicate := duplicate_in(draft, looked.same)) is not None:
            return Created(duplicate=duplicate)
        status = INITIAL_STATUS[draft.kind]
        if draft.kind == RecordKind.REFUND:
            status = refunds.settled_status(status, draft.values)
            handed_over = [record for record in looked.same if refunds.is_frozen(record)]  # only when forced
            cast(dict[str, object], columns["data"]).update(repeat_of(handed_over))
        record = yield from storage.storing(columns, status=status, author_id=author_id, chat_id=chat_id)
        earlier = looked.claims if len(looked.claims) + 1 >= rules.repeat_threshold else []
        return Created(record=record, earlier_claims=earlier, claim_days=rules.repeat_days)

    for attempt in range(NUMBER_RETRIES):
        try:
            return await sql.atomic(plan, serial=CREATING)
        except IntegrityError:  # another process took the same number at the same instant
            if attempt == NUMBER_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _columns(
    draft: Draft, rules: Rules, now: datetime, kept: Mapping[str, object] | None = None
) -> dict[str, object]:
    """Split a draft into indexed columns and the JSON data (plus what the data keeps beyond fields)."""
    values = dict(draft.values)
    data: dict[str, object] = {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in values.items()
        if key not in INDEXED
    }
    data.update(kept or {})
    if draft.photo:
        data["photos"] = [draft.photo]
    origin, last = values.get("origin"), values.get("last")
    if isinstance(origin, Decimal) and isinstance(last, Decimal) and origin - last >= rules.weight_loss_kg:
        data["weight_lost"] = str(origin - last)
    deadline = None
    if draft.kind == RecordKind.REFUND and values.get("insured") is True and values.get("tracking"):
        deadline = now + timedelta(days=rules.insurance_days)
    return {
        "kind": draft.kind,
        "subkind": draft.subkind,
        "order_no": values.get("order"),
        "tracking_no": values.get("tracking"),
        "buyer": str(values["buyer"]).lower() if "buyer" in values else None,
        "phone": values.get("phone"),
        "address": "".join(str(values["address"]).split()) if "address" in values else None,
        "amount": values.get("amount"),
        "data": data,
        "deadline_at": deadline,
    }


async def repeat_mark(order: object, exclude_id: int | None = None) -> dict[str, object]:
    """`repeat_of`: the refunds of this order finance has in hand or has paid (nothing when none)."""
    return repeat_of(await refunds.earlier_payments(order, exclude_id))


def repeat_of(earlier: list[Record]) -> dict[str, object]:
    """What a refund's data keeps about earlier refunds of its order that finance has in hand or has paid."""
    return {REPEAT_OF: [record.short_id for record in earlier]} if earlier else {}


async def history_entry(
    record: Record,
    actor_id: int,
    chat_id: int,
    action: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    conn: BaseDBAsyncClient,
) -> None:
    """Write a change to the record's own history and to the audit log, in the caller's transaction."""
    await RecordEvent.create(
        record=record, actor_id=actor_id, action=action, before=before, after=after, using_db=conn
    )
    audit_action = "record.create" if action == "created" else f"record.{action}"
    await audit.record(
        actor_id=actor_id,
        chat_id=chat_id,
        action=audit_action,
        target=record.short_id,
        before=before,
        after=after,
        using_db=conn,
    )


async def _move(
    record: Record,
    status: str,
    *,
    actor_id: int,
    chat_id: int,
    action: str,
    reason: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Record:
    """Move a record from the status it was read with to `status`, once even when two people act at the same
    time; history and audit keep who, when and why (and `extra`, e.g. whom a review case is credited to)."""
    before = record.status
    async with in_transaction() as conn:
        updated = await Record.filter(id=record.id, status=before).using_db(conn).update(status=status)
        if not updated:
            raise UserError(N_("{id} was changed by someone else just now: look again."), id=record.short_id)
        record.status = status
        after: dict[str, object] = {"status": status, **({"reason": reason} if reason else {})}
        after.update(extra or {})
        await history_entry(record, actor_id, chat_id, action, {"status": before}, after, conn)
    return record


def status_label(status: str) -> Msg:
    """A status as a message parameter, translated when the error is shown."""
    return Msg(STATUS_LABELS.get(status, status))


async def change_status(
    record: Record,
    status: str,
    *,
    actor_id: int,
    chat_id: int,
    reason: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Record:
    """Move a record along its status flow, with history and audit (and why, e.g. finance's rejection)."""
    allowed = STATUS_FLOW[RecordKind(record.kind)].get(record.status, ())
    if status not in allowed:
        raise UserError(
            N_("{id} is {status}: it cannot move to {target}."),
            id=record.short_id,
            status=status_label(record.status),
            target=status_label(status),
        )
    return await _move(
        record, status, actor_id=actor_id, chat_id=chat_id, action="status", reason=reason, extra=extra
    )


@dataclass(slots=True)
class Edited:
    """An edited record, and what the edit did to its way to finance."""

    record: Record
    money: list[str] = field(default_factory=list)
    """The money fields of a refund that changed after it was sent to finance: it goes back to finance."""


async def edit(
    record: Record,
    values: dict[str, rf.Value],
    *,
    actor_id: int,
    chat_id: int,
    rules: Rules,
    money_ok: bool = False,
) -> Edited:
    """Change fields of a record; history and audit keep before and after.

    The record is read again inside the transaction (locked on PostgreSQL), so a note or another edit made
    meanwhile is kept. A refund's money fields are frozen once sent to finance: changing them then needs
    `money_ok` (finance or a manager) and sends the refund back to "new", so finance sees it again; a paid
    refund's never change (finance reverses it instead). A draft becomes new once finance's fields are there.
    """
    if not values:
        raise UserError(N_("Nothing to change: add key=value fields."))
    async with in_transaction() as conn:
        fresh = await Record.filter(id=record.id).using_db(conn).select_for_update().first()
        if fresh is None:
            raise UserError(N_("This record no longer exists."))
        if fresh.status == VOID:
            raise UserError(N_("{id} is void and cannot be edited."), id=fresh.short_id)
        money = refunds.money_changes(fresh, values) if refunds.is_frozen(fresh) else []
        status = frozen_status(fresh, money, money_ok)
        before = snapshot(fresh)
        stored = {k: v for k, v in before.items() if k in rf.FIELD_BY_KEY and v is not None}
        for key in DECIMAL_FIELDS & stored.keys():
            stored[key] = Decimal(str(stored[key]))
        draft = Draft(RecordKind(fresh.kind), {**stored, **values}, fresh.subkind)  # type: ignore[dict-item]
        kept = {key: fresh.data[key] for key in KEPT_DATA if key in fresh.data}
        if draft.kind == RecordKind.REFUND:
            status = refunds.settled_status(status, draft.values)
            if "order" in values:
                kept.pop(REPEAT_OF, None)
                kept.update(await repeat_mark(values["order"], fresh.id))
        columns = {k: v for k, v in _columns(draft, rules, fresh.created_at, kept).items() if k != "kind"}
        if masking.PERSONAL_KEYS & values.keys():
            columns["erased_at"] = None  # personal data typed in again is kept (and expires) again
        await Record.filter(id=fresh.id).using_db(conn).update(status=status, **columns)
        await fresh.refresh_from_db(using_db=conn)
        after = snapshot(fresh)
        changed_before = {k: before.get(k) for k in after if before.get(k) != after.get(k)}
        changed_after = {k: after.get(k) for k in changed_before}
        await history_entry(fresh, actor_id, chat_id, "edit", changed_before, changed_after, conn)
    return Edited(fresh, money)


def frozen_status(record: Record, money: list[str], money_ok: bool) -> str:
    """The status a refund keeps after an edit of its money fields, or why they cannot change now."""
    if not money:
        return record.status
    if record.status == refunds.PAID:
        raise UserError(
            N_(
                "{id} was paid: its money fields never change. Finance can reverse it with /reverse {id} "
                "<reason>; then log a new refund."
            ),
            id=record.short_id,
        )
    if not money_ok:
        raise UserError(
            N_("{id} was sent to finance: only finance or a manager can change {fields} now."),
            id=record.short_id,
            fields=", ".join(money),
        )
    return refunds.NEW


async def void(record: Record, reason: str, *, actor_id: int, chat_id: int) -> Record:
    """Withdraw a record; it stays searchable with its history. Money paid out is never voided."""
    if record.status == VOID:
        raise UserError(N_("{id} is already void."), id=record.short_id)
    if record.status in (refunds.PAID, REVERSED) and record.kind == RecordKind.REFUND:
        raise UserError(
            N_(
                "{id} is {status}: money paid out is never voided; finance reverses a paid refund with "
                "/reverse {id} <reason>."
            ),
            id=record.short_id,
            status=status_label(record.status),
        )
    return await _move(record, VOID, actor_id=actor_id, chat_id=chat_id, action="void", reason=reason)


async def reverse(record: Record, reason: str, *, actor_id: int, chat_id: int) -> Record:
    """Finance takes back a paid refund, with the reason; the record stays with its history."""
    if record.kind != RecordKind.REFUND or record.status != refunds.PAID:
        raise UserError(
            N_("{id} is {status}: only a paid refund can be reversed."),
            id=record.short_id,
            status=status_label(record.status),
        )
    return await _move(record, REVERSED, actor_id=actor_id, chat_id=chat_id, action="reverse", reason=reason)


async def add_note(
    record: Record, *, actor_id: int, text: str | None = None, photo: str | None = None
) -> None:
    """Append a note or a photo to a record's history (photos also join its attachments).

    The record is read again inside the transaction (locked on PostgreSQL): a photo added from a stale copy
    must not undo an edit made meanwhile."""
    async with in_transaction() as conn:
        if photo:
            fresh = await Record.filter(id=record.id).using_db(conn).select_for_update().first()
            if fresh is None:
                raise UserError(N_("This record no longer exists."))
            data = dict(fresh.data)
            data["photos"] = [*data.get("photos", []), photo]  # type: ignore[misc]
            await Record.filter(id=record.id).using_db(conn).update(data=data)
            record.data = data
        await RecordEvent.create(
            record=record,
            actor_id=actor_id,
            action="photo" if photo else "note",
            after={"text": text and clean(text, multiline=True), "photo": photo},
            using_db=conn,
        )


async def history(record: Record) -> list[RecordEvent]:
    """A record's events, oldest first."""
    return await RecordEvent.filter(record_id=record.id).order_by("id")


CARD_UPSERT = (
    "INSERT INTO record_card (chat_id, message_id, record_id) VALUES (?, ?, ?) "
    "ON CONFLICT (chat_id, message_id) DO UPDATE SET record_id = excluded.record_id"
)
"""One statement both databases read alike; the ORM's bulk upsert cost more CPU than the rest of a card. As a
plan it is committed with the other chats' writes (bot/services/group_commit.py)."""


async def remember_card(record: Record, chat_id: int, message_id: int) -> None:
    """Link a bot message to the record it shows, so replies to it reach the record; one upsert, no read."""
    await sql.atomic(lambda: sql.write(CARD_UPSERT, (chat_id, message_id, record.id)))


async def record_for_card(chat_id: int, message_id: int) -> Record | None:
    """The record a bot message shows, if any."""
    return await Record.filter(cards__chat_id=chat_id, cards__message_id=message_id).first()


@dataclass(slots=True)
class Page:
    """One page of a listing and how many there are in all."""

    records: list[Record]
    total: int
    page: int

    @property
    def pages(self) -> int:
        """How many pages the listing has."""
        return max(1, -(-self.total // PAGE_SIZE))


async def _page(query: Q, page: int) -> Page:
    """Newest first, PAGE_SIZE at a time."""
    base = Record.filter(query)
    total = await base.count()
    page = max(1, min(page, max(1, -(-total // PAGE_SIZE))))
    records = await base.order_by("-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return Page(records, total, page)


def looks_personal(text: str, rules: Rules) -> bool:
    """Whether a search is by a mobile number or an e-mail address (personal data), not by an order."""
    cleaned = text.strip()
    digits = re.sub(r"[\s-]", "", cleaned)
    if rf.EMAIL.match(cleaned):
        return True
    is_order = digits.isdigit() and rules.order_min_digits <= len(digits) <= rules.order_max_digits
    return bool(rf.PHONE.match(digits)) and not is_order


async def personal_conditions(text: str) -> list[Q]:
    """Exact matches on the personal fields (phone, real name, Alipay account, address): only for people
    who may see personal data, in private."""
    cleaned = text.strip()
    phone = rf.PHONE.match(re.sub(r"[\s-]", "", cleaned))
    conditions = [Q(phone=phone[1])] if phone else []
    address = "".join(cleaned.split())
    if 0 < len(address) <= ADDRESS_MAX:
        conditions.append(Q(address=address))
    wanted = {"name": cleaned, "alipay": phone[1] if phone else cleaned.lower()}
    found: set[int] = set()
    for key, value in wanted.items():
        rows = await sql.rows(
            f"SELECT id FROM record WHERE {sql.json_text('data', key)} = ? LIMIT {JSON_MATCHES}", [value]
        )
        found |= {int(row["id"]) for row in rows}
    if found:
        conditions.append(Q(id__in=sorted(found)))
    return conditions


async def identity_conditions(text: str, *, personal: bool) -> list[Q]:
    """Exact matches on the columns a value may belong to: the buyer ID, and the personal fields when
    `personal` (skipping what the value cannot be, and the erasure marker)."""
    cleaned = text.strip()
    if not cleaned or cleaned == masking.ERASED:
        return []
    conditions = [Q(buyer=cleaned.lower())] if len(cleaned) <= BUYER_MAX else []
    return conditions + (await personal_conditions(cleaned) if personal else [])


async def search_query(text: str, *, personal: bool) -> Q:
    """What /find matches: a short id, an order or tracking number, a buyer ID, exactly; and a phone, real
    name, Alipay account or address when `personal`."""
    cleaned = text.strip()
    digits = re.sub(r"[\s-]", "", cleaned)
    conditions = await identity_conditions(cleaned, personal=personal)
    if digits.isascii() and digits.isdigit() and len(digits) <= ORDER_MAX:
        conditions.append(Q(order_no=digits))
    if cleaned.isascii() and rf.TRACKING.match(cleaned.upper()):
        conditions.append(Q(tracking_no=cleaned.upper()))
    try:
        kind, number = parse_short_id(cleaned)
        conditions.append(Q(kind=kind, number=number))
    except UserError:
        pass
    return Q(*conditions, join_type="OR") if conditions else Q(id=-1)


async def find(text: str, page: int = 1, *, personal: bool = False) -> Page:
    """Records matching an id, order, tracking number or buyer (and personal fields when `personal`)."""
    if not text.strip():
        raise UserError(N_("Find what? Give an order number, tracking number, buyer or record id."))
    return await _page(await search_query(text, personal=personal), page)


async def mine(user_id: int, page: int = 1) -> Page:
    """Records a person logged."""
    return await _page(Q(author_id=user_id), page)


def open_statuses(kind: RecordKind) -> list[str]:
    """The statuses in which a kind of record is still open."""
    return list(STATUS_FLOW[kind])


async def open_records(kind: RecordKind | None, page: int = 1) -> Page:
    """Open records, of one kind or all."""
    kinds = [kind] if kind else list(RecordKind)
    query = Q(*[Q(kind=k, status__in=open_statuses(k)) for k in kinds], join_type="OR")
    return await _page(query, page)


async def buyer_history(buyer: str, page: int = 1, *, personal: bool = False) -> Page:
    """What was logged about a buyer: by platform ID (also phone, name, Alipay, address when `personal`)."""
    conditions = await identity_conditions(buyer, personal=personal)
    return await _page(Q(*conditions, join_type="OR") if conditions else Q(id=-1), page)


KIND_WORDS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.REFUND: (
        "refund", "refund request", "退款", "退款单", "退款申请", "退款信息", "退款表", "退钱",
    ),
    RecordKind.COURIER: (
        "courier", "courier query", "parcel", "parcel query", "tracking", "logistics", "delivery", "shipping",
        "查件", "物流", "物流查询", "快递", "快递查询", "查件单", "查快递",
    ),
    RecordKind.COMPLAINT: ("complaint", "complaint slip", "slip", "投诉", "投诉单", "客诉", "售后投诉"),
    RecordKind.PROBLEM: ("problem", "problem order", "issue", "问题", "问题订单", "问题单", "异常订单"),
    RecordKind.REVIEW: (
        "review", "negative review", "bad review", "review case", "差评", "中差评", "评价", "差评单",
    ),
}  # fmt: skip
"""What people call each kind, singular; plurals (refunds, queries) and 记录/列表 after a name read too."""
KIND_ALIASES: dict[str, RecordKind] = {
    **{word: kind for kind, words in KIND_WORDS.items() for word in words},
    **{kind.value: kind for kind in RecordKind},
    **{prefix.lower(): kind for kind, prefix in RECORD_PREFIX.items()},
}
ZH_AFTER = ("记录", "列表", "清单", "信息")
EN_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))


def kind_named(text: str) -> RecordKind | None:
    """A record kind by any name people use for it (refunds, courier queries, 退款单, 投诉记录), or None."""
    word = " ".join(text.strip().lower().split())
    candidates = [word]
    candidates += [word[: -len(after)] for after in ZH_AFTER if word.endswith(after)]
    candidates += [word[: -len(end)] + stem for end, stem in EN_PLURALS if word.endswith(end)]
    return next((KIND_ALIASES[c] for c in candidates if c in KIND_ALIASES), None)


def parse_kind(text: str) -> RecordKind:
    """A record kind by name, Chinese name, plural, synonym or id prefix."""
    kind = kind_named(text)
    if kind is None:
        raise UserError(
            N_("Unknown record kind “{value}”. Kinds: {choices}."), value=text, choices=", ".join(RecordKind)
        )
    return kind
