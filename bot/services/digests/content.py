"""What each digest contains: the refund table for finance, complaint slips, open problem orders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from bot.enums import DRAFT, VOID, RecordKind
from bot.i18n import N_, Translator
from bot.models import Record, RecordEvent
from bot.services import sheets
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.records import text as rt
from bot.services.sheets import Cell

Translate = Callable[..., str]
LIST_PAGE = 5
"""Refunds per page of the finance answer list: two buttons each, so a page stays one screen."""
TEXT_LIMIT = 60
"""How much of a slip's description a digest line shows."""
FORWARDED = "warehouse"
"""A complaint's status once a supervisor forwarded it to the warehouse."""

FINANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("buyer", N_("buyer ID")),
    ("name", N_("real name")),
    ("alipay", N_("Alipay account")),
    ("amount", N_("amount")),
    ("reason", N_("refund reason")),
    ("postage", N_("postage payer")),
    ("tracking", N_("return tracking")),
    ("insured", N_("insurance")),
    ("order", N_("order number")),
    ("id", N_("record id")),
    (records.REPEAT_OF, N_("already refunded in")),
)
"""Exactly the fields finance checks against the platform, in the order of their spreadsheet, and the earlier
refunds of the same order that finance held or paid when this one was logged."""


def previous_day(moment: datetime, zone: ZoneInfo) -> date:
    """The shop-local day before `moment`: the finance digest's day."""
    return moment.astimezone(zone).date() - timedelta(days=1)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of a day, in UTC as stored (SQLite compares times as text)."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


async def finance_refunds(day: date, zone: ZoneInfo) -> list[Record]:
    """The day's refunds, plus older ones never sent to finance, so nothing logged is left out; drafts wait
    until they are complete."""
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    that_day = Q(created_at__gte=start, created_at__lt=end)
    return (
        await Record.filter(
            Q(that_day, Q(status="new"), join_type="OR"), kind=RecordKind.REFUND, created_at__lt=end
        )
        .exclude(status__in=[VOID, DRAFT])
        .order_by("id")
    )


async def unsent_refunds() -> list[Record]:
    """Every complete refund not yet sent to finance, today's included: what finance asks for with
    `/finance all` instead of waiting for the morning table."""
    return await Record.filter(kind=RecordKind.REFUND, status="new").order_by("id")


def finance_caption(t: Translator, found: Sequence[Record], what: str) -> str:
    """The table's caption: which refunds, how many, the total, and how to answer."""
    return "\n".join(
        [
            t.ngettext(
                "💰 Refund table for {day}: {n} refund, total ¥{total}.",
                "💰 Refund table for {day}: {n} refunds, total ¥{total}.",
                len(found),
                day=what,
                total=t.amount(total(found)),
            ),
            t(
                "Answer with the buttons below, or send this file back with a “result” column: paid, or "
                "rejected + reason (已打款 / 驳回 + 原因)."
            ),
        ]
    )


def finance_table(t: Translate, found: Sequence[Record]) -> bytes:
    """The refund table finance reconciles, as xlsx."""
    return sheets.xlsx(finance_headers(t), [finance_row(t, record) for record in found], t("Refunds"))


def finance_headers(t: Translate) -> list[str]:
    """The table's headers in the chat's language."""
    return [t(label) for _, label in FINANCE_COLUMNS]


def finance_row(t: Translate, record: Record) -> list[Cell]:
    """One refund as finance reads it: full data (the finance chat is finance's own registered chat)."""
    row: list[Cell] = []
    for key, _ in FINANCE_COLUMNS:
        value = cell_value(record, key)
        if key == "postage" and isinstance(value, str):
            value = t(rt.VALUE_LABELS.get(value, value))
        if isinstance(value, bool):
            value = rt.show_value(t, key, value, masked=False)
        row.append(value if isinstance(value, Decimal) or value is None else str(value))
    return row


def cell_value(record: Record, key: str) -> object:
    """What one column of finance's table holds for a refund."""
    if key == "id":
        return record.short_id
    if key == records.REPEAT_OF:
        return ", ".join(rt.repeats_of(record)) or None
    return rt.field_value(record, key)


def total(found: Sequence[Record]) -> Decimal:
    """The sum of refunds' amounts."""
    return sum((record.amount or Decimal(0) for record in found), Decimal("0.00"))


async def send_to_finance(found: Sequence[Record], *, actor_id: int, chat_id: int) -> None:
    """The refunds just posted to finance are now "sent to finance", so finance can answer them."""
    for record in found:
        fresh = await Record.get(id=record.id)
        if fresh.status == "new":
            await records.change_status(fresh, "sent", actor_id=actor_id, chat_id=chat_id)


@dataclass(slots=True)
class Waiting:
    """One page of the refunds waiting for finance's answer."""

    records: list[Record]
    total: int
    page: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, -(-self.total // LIST_PAGE))


async def waiting_for_finance(page: int) -> Waiting:
    """Refunds sent to finance and not answered yet, oldest first."""
    query = Record.filter(kind=RecordKind.REFUND, status="sent")
    count = await query.count()
    page = max(1, min(page, max(1, -(-count // LIST_PAGE))))
    found = await query.order_by("id").offset((page - 1) * LIST_PAGE).limit(LIST_PAGE)
    return Waiting(found, count, page)


def refund_line(t: Translate, record: Record) -> str:
    """A refund in the finance answer list: what finance pays and to whom, the payee masked (the list is a
    group message; finance's spreadsheet carries the full data)."""
    parts = [record.short_id, f"¥{record.amount}"]
    if record.buyer:
        parts.append(record.buyer)
    payee = [key for key in ("name", "alipay") if record.data.get(key)]
    parts += [rt.show_value(t, key, record.data[key], masked=True) for key in payee]
    repeats = rt.repeats_of(record)
    if repeats:
        parts.append(t("⚠️ order already refunded in {ids}", ids=", ".join(repeats)))
    return " · ".join(parts)


def by_subkind(kind: RecordKind, found: Sequence[Record]) -> list[tuple[str, list[Record]]]:
    """Records grouped by their kind (damaged, out-of-stock, …) in the order the kinds are declared."""
    order = list(dict.fromkeys(rf.SUBKINDS[kind].values()))
    groups: dict[str, list[Record]] = {}
    for record in found:
        groups.setdefault(record.subkind or "", []).append(record)
    return sorted(groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))


async def complaint_slips(until: datetime) -> list[Record]:
    """Complaint slips a supervisor forwarded to the warehouse in the 24 hours before the warehouse digest
    (night shift's included); slips no supervisor has seen never reach the warehouse."""
    events = await RecordEvent.filter(
        record__kind=RecordKind.COMPLAINT, action="status", at__gt=until - timedelta(days=1), at__lte=until
    ).prefetch_related("record")
    forwarded = {
        event.record.id: event.record
        for event in events
        if isinstance(event.after, dict) and event.after.get("status") == FORWARDED
    }
    return [forwarded[key] for key in sorted(forwarded) if forwarded[key].status != VOID]


def complaint_line(t: Translate, record: Record) -> str:
    """One slip for the warehouse: id, order, what happened, what was offered (personal data masked)."""
    parts = [record.short_id]
    parts += [str(value) for value in (record.order_no, record.buyer) if value]
    text = str(record.data.get("text") or "")
    parts.append(text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…")
    offer = record.data.get("offer")
    if offer:
        parts.append(f"{t(rf.FIELD_BY_KEY['offer'].label)}: {rt.show_value(t, 'offer', offer, True)}")
    photos = record.data.get("photos")
    if isinstance(photos, list) and photos:
        parts.append(t("photos: {count}", count=len(photos)))
    return " · ".join(part for part in parts if part)


def photos_of(record: Record) -> list[str]:
    """The photos a slip carries (Telegram file ids)."""
    photos = record.data.get("photos")
    return [str(photo) for photo in photos] if isinstance(photos, list) else []


async def open_problems() -> list[Record]:
    """Problem orders still open, oldest first."""
    return await Record.filter(
        kind=RecordKind.PROBLEM, status__in=records.open_statuses(RecordKind.PROBLEM)
    ).order_by("id")


def age(t: Translate, since: datetime, now: datetime) -> str:
    """How long something has waited: `3 d 4 h`, `5 h`, `40 min`."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours = rest // 60
    if days:
        return t("{days} d {hours} h", days=days, hours=hours)
    return t("{hours} h", hours=hours) if hours else t("{minutes} min", minutes=minutes)


def problem_line(t: Translate, record: Record, now: datetime, zone: ZoneInfo) -> str:
    """One open problem order: id, order, since when, its note."""
    since = record.created_at.astimezone(zone).strftime("%m-%d %H:%M")
    parts = [record.short_id, record.order_no or "", f"{since} ({age(t, record.created_at, now)})"]
    parts.append(str(record.data.get("text") or ""))
    return " · ".join(part for part in parts if part)


def subkind_label(t: Translate, subkind: str) -> str:
    """A record's kind (damaged, out of stock…) in the reader's language."""
    return t(rt.SUBKIND_LABELS.get(subkind, subkind)) if subkind else t(N_("other"))
