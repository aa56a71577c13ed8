"""Refunds as finance pays them: drafts until complete, repeats of a paid order, money frozen once sent."""

from __future__ import annotations

from collections.abc import Mapping

from bot.enums import DRAFT, RecordKind
from bot.models import Record
from bot.services.records.fields import FINANCE_FIELDS, missing_for_finance
from bot.services.records.text import field_value

MONEY_FIELDS = frozenset({"order", "amount", "buyer", "name", "alipay", "postage"})
"""What decides who is paid how much: frozen once the refund was sent to finance."""
NEW, SENT, PAID = "new", "sent", "paid"
HANDED_OVER = (SENT, PAID)
"""Refunds finance has in hand or has paid: their money fields are frozen, and another refund of the same
order is a repeat."""


def settled_status(status: str, values: Mapping[str, object]) -> str:
    """A new refund or a draft after logging or editing: a draft while anything is missing, else new."""
    if status not in (DRAFT, NEW):
        return status
    return DRAFT if missing_for_finance(values) else NEW


def comparable(key: str, value: object) -> str:
    """A field's value as an edit compares it (buyers are kept lower-case)."""
    text = "" if value is None else str(value)
    return text.lower() if key == "buyer" else text


def money_changes(record: Record, values: Mapping[str, object]) -> list[str]:
    """The money fields an edit would change on a refund, in the order finance reads them."""
    if record.kind != RecordKind.REFUND:
        return []
    return [
        key
        for key in FINANCE_FIELDS
        if key in MONEY_FIELDS
        and key in values
        and comparable(key, values[key]) != comparable(key, field_value(record, key))
    ]


def is_frozen(record: Record) -> bool:
    """Whether a refund's money fields now need finance: it was sent to finance, or paid."""
    return record.kind == RecordKind.REFUND and record.status in HANDED_OVER


async def earlier_payments(order: object, exclude_id: int | None = None) -> list[Record]:
    """Refunds of the same order that finance has in hand or has paid, oldest first."""
    if not order:
        return []
    found = Record.filter(kind=RecordKind.REFUND, order_no=str(order), status__in=HANDED_OVER)
    if exclude_id is not None:
        found = found.exclude(id=exclude_id)
    return await found.order_by("id")
