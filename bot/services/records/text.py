"""How records read in chat: cards, one-line summaries and history, with personal data masked in groups."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.enums import DRAFT, STATUS_FLOW, RecordKind
from bot.i18n import N_
from bot.models import Record, RecordEvent
from bot.services import masking
from bot.services.records.fields import FIELD_BY_KEY, FIELDS, FINANCE_FIELDS, missing_for_finance

Translate = Callable[..., str]

KIND_LABELS: dict[RecordKind, str] = {
    RecordKind.REFUND: N_("Refund"),
    RecordKind.COURIER: N_("Courier query"),
    RecordKind.COMPLAINT: N_("Complaint slip"),
    RecordKind.PROBLEM: N_("Problem order"),
    RecordKind.REVIEW: N_("Review case"),
}
STATUS_LABELS: dict[str, str] = {
    "draft": N_("draft"),
    "new": N_("new"),
    "sent": N_("sent to finance"),
    "paid": N_("paid"),
    "rejected": N_("rejected"),
    "reversed": N_("reversed"),
    "open": N_("open"),
    "waiting": N_("waiting for courier"),
    "resolved": N_("resolved"),
    "supervisor": N_("with supervisor"),
    "warehouse": N_("with warehouse"),
    "closed": N_("closed"),
    "fixed": N_("fixed"),
    "revised": N_("revised"),
    "failed": N_("failed"),
    "void": N_("void"),
    "withdrawn": N_("withdrawn by buyer"),
}
SUBKIND_LABELS: dict[str, str] = {
    "where": N_("where is it"),
    "overdue": N_("delivery overdue"),
    "out-of-area": N_("out of delivery area"),
    "change-address": N_("change address"),
    "lost": N_("lost parcel"),
    "weigh": N_("weigh check"),
    "intercept": N_("intercept"),
    "damaged": N_("damaged"),
    "missing": N_("missing item"),
    "wrong": N_("wrong item"),
    "quality": N_("quality"),
    "late": N_("late shipment"),
    "multi-address": N_("several addresses"),
    "unclear-address": N_("unclear address"),
    "out-of-range": N_("outside delivery range"),
    "out-of-stock": N_("out of stock"),
    "free-shipping": N_("free-shipping condition not met"),
    "note": N_("buyer's note cannot be met"),
    "size-missing": N_("size not chosen"),
    "presale-overdue": N_("pre-sale overdue"),
    "medium": N_("medium review"),
    "negative": N_("negative review"),
}
VALUE_LABELS: dict[str, str] = {
    "buyer": N_("buyer pays"),
    "shop": N_("shop pays"),
    "split": N_("split 50:50"),
    "gift": N_("small gift next order"),
    "free-postage": N_("free postage next time"),
    "return": N_("return"),
}
KIND_FIELD = N_("kind")
FREE_TEXT = frozenset({"reason", "text"})
"""Fields people write freely: a phone or e-mail typed into them is masked in groups too."""
COLUMN_VALUES = {
    "order": "order_no",
    "tracking": "tracking_no",
    "buyer": "buyer",
    "phone": "phone",
    "address": "address",
}


def field_value(record: Record, key: str) -> object:
    """A field's value wherever it is kept (indexed column or JSON data)."""
    if key == "amount":
        return record.amount
    if key in COLUMN_VALUES:
        return getattr(record, COLUMN_VALUES[key])
    return record.data.get(key)


def show_value(t: Translate, key: str, value: object, masked: bool) -> str:
    """One value as people read it: money with ¥, yes/no translated, personal data masked in groups."""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if key == "amount" or isinstance(value, Decimal):
        return f"¥{value}"
    text = str(value)
    if key == "offer" and text.startswith("refund:"):
        return t("partial refund ¥{amount}", amount=text.removeprefix("refund:"))
    if key in {"postage", "offer"} and text in VALUE_LABELS:
        return t(VALUE_LABELS[text])
    if key in {"origin", "last"}:
        return f"{text} kg"
    if masked and key in masking.MASKS:
        return masking.MASKS[key](text)
    return masking.in_text(text) if masked and key in FREE_TEXT else text


def missing_of(record: Record) -> list[str]:
    """The finance fields a stored refund lacks (none for other kinds of record)."""
    if record.kind != RecordKind.REFUND:
        return []
    return missing_for_finance({key: field_value(record, key) for key in FINANCE_FIELDS})


def repeats_of(record: Record) -> list[str]:
    """The earlier refunds of the same order that finance had in hand or had paid when this one was logged."""
    found = record.data.get("repeat_of")
    return [str(short_id) for short_id in found] if isinstance(found, list) else []


def refund_warnings(t: Translate, record: Record) -> list[str]:
    """What a refund's card warns about: fields finance still needs, and an order refunded before."""
    lines = []
    missing = missing_of(record) if record.status == DRAFT else []
    if missing:
        lines.append(
            t(
                "⚠️ missing for finance: {fields}. It goes to finance once /edit {id} completes it.",
                fields=", ".join(t(FIELD_BY_KEY[key].label) for key in missing),
                id=record.short_id,
            )
        )
    repeats = repeats_of(record)
    if repeats:
        lines.append(
            t("⚠️ this order was already refunded ({ids}): check before paying twice.", ids=", ".join(repeats))
        )
    return lines


def title(t: Translate, record: Record) -> str:
    """`R-12 · Refund · new`."""
    kind = RecordKind(record.kind)
    return (
        f"{record.short_id} · {t(KIND_LABELS[kind])} · {t(STATUS_LABELS.get(record.status, record.status))}"
    )


def card(t: Translate, record: Record, *, masked: bool, author: str, zone: ZoneInfo) -> str:
    """The full card of a record."""
    lines = [title(t, record)]
    if record.subkind:
        lines.append(f"{t(KIND_FIELD)}: {t(SUBKIND_LABELS.get(record.subkind, record.subkind))}")
    for spec in FIELDS:
        value = field_value(record, spec.key)
        if value is not None and value != "":
            lines.append(f"{t(spec.label)}: {show_value(t, spec.key, value, masked)}")
    lines += refund_warnings(t, record)
    lost = record.data.get("weight_lost")
    if lost is not None:
        lines.append(t("⚠️ weight lost in transit: {kg} kg", kg=lost))
    photos = record.data.get("photos")
    if isinstance(photos, list) and photos:
        lines.append(t("photos: {count}", count=len(photos)))
    if record.kind == RecordKind.REVIEW:
        lines.append(t("review group: {group}", group=record.review_group or 1))
    if record.deadline_at:
        when = record.deadline_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(t("⏰ insurance countdown ends {when}", when=when))
    created = record.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    lines.append(t("logged by {author}, {when}", author=author, when=created))
    return "\n".join(lines)


def summary(t: Translate, record: Record) -> str:
    """One line for listings: id, status, the identifying fields."""
    parts = [record.short_id, t(STATUS_LABELS.get(record.status, record.status))]
    if record.subkind:
        parts.append(t(SUBKIND_LABELS.get(record.subkind, record.subkind)))
    parts += [str(v) for v in (record.order_no, record.tracking_no, record.buyer) if v]
    if record.amount is not None:
        parts.append(f"¥{record.amount}")
    return " · ".join(parts)


def transitions(t: Translate, record: Record) -> list[tuple[str, str]]:
    """The buttons a record's card carries: (label, target status)."""
    targets = STATUS_FLOW[RecordKind(record.kind)].get(record.status, ())
    return [(t("→ {status}", status=t(STATUS_LABELS[target])), target) for target in targets]


EVENT_LABELS: dict[str, str] = {
    "created": N_("logged"),
    "status": N_("status"),
    "edit": N_("edited"),
    "note": N_("note"),
    "photo": N_("photo added"),
    "void": N_("voided"),
    "reverse": N_("reversed"),
    "escalate": N_("escalated"),
}


def event_line(t: Translate, event: RecordEvent, actor: str, zone: ZoneInfo, masked: bool) -> str:
    """One history line: when, who, what."""
    when = event.at.astimezone(zone).strftime("%m-%d %H:%M")
    label = t(EVENT_LABELS.get(event.action, event.action))
    after = event.after if isinstance(event.after, dict) else {}
    detail = ""
    if event.action == "status":
        detail = t(STATUS_LABELS.get(str(after.get("status")), str(after.get("status"))))
        detail += f": {after['reason']}" if after.get("reason") else ""
    elif event.action in ("void", "reverse"):
        detail = str(after.get("reason") or "")
    elif event.action == "escalate":
        detail = t("to group {group}", group=after.get("group"))
    elif event.action == "note":
        detail = str(after.get("text") or "")
    elif event.action == "edit":
        detail = ", ".join(f"{k}={show_value(t, k, v, masked)}" for k, v in after.items())
    detail = masking.in_text(detail) if masked else detail
    return f"{when} {actor}: {label} {detail}".rstrip()
