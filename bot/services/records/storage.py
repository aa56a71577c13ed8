"""A new record's way into the database in plain SQL, as steps of one transaction: a query looks for
duplicates and earlier claims, then the record is stored numbered, with its history and audit entry.

Logging is what a team does most at a peak. Through the ORM it took ten calls to the database and most of the
bot's CPU per record (docs/benchmarks.md, "Backlog"); as one plan of `sql.atomic` it takes one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.models import Model

from bot.enums import VOID, RecordKind
from bot.models import AuditEntry, Record, RecordEvent
from bot.services import sql_portable as sql

CREATED = "created"
"""The history action of a new record (its audit action is `record.create`)."""


@dataclass(slots=True)
class Looked:
    """What one look before logging found: records of the same order or parcel, and earlier claims."""

    same: list[Record] = field(default_factory=list)
    """Records that are not void with the same order (the same tracking number and query kind for courier
    queries), oldest first."""
    claims: list[Record] = field(default_factory=list)
    """Refunds and complaints that are not void by the same buyer, phone or address since the window began,
    oldest first."""


def looking(
    kind: RecordKind,
    same: Mapping[str, object],
    claimant: Mapping[str, object],
    claim_kinds: Sequence[RecordKind],
    since: datetime,
) -> sql.Plan[Looked]:
    """One query for both checks a new record needs: `same` are the columns a duplicate shares with it, and
    `claimant` the columns an earlier claim by the same person would (each part skipped when empty)."""
    parts, params = [], []
    if same:
        parts.append(
            f"SELECT 'same' AS why, * FROM record WHERE kind = ? AND {_matching(same, 'AND')} AND status <> ?"
        )
        params += [kind.value, *same.values(), VOID]
    if claimant:
        kinds = ", ".join("?" for _ in claim_kinds)
        parts.append(
            f"SELECT 'claim' AS why, * FROM record WHERE ({_matching(claimant, 'OR')}) "
            f"AND kind IN ({kinds}) AND created_at >= ? AND status <> ?"
        )
        params += [*claimant.values(), *(k.value for k in claim_kinds), since, VOID]
    found = Looked()
    if not parts:
        return found
    for row in (yield (" UNION ALL ".join(parts) + " ORDER BY id", params)):
        (found.same if row.pop("why") == "same" else found.claims).append(Record._init_from_db(**row))
    return found


def _matching(columns: Mapping[str, object], joiner: str) -> str:
    """`a = ? AND b = ?` (or OR) for columns of ours."""
    return f" {joiner} ".join(f"{sql.checked(column)} = ?" for column in columns)


def storing(columns: Mapping[str, object], *, status: str, author_id: int, chat_id: int) -> sql.Plan[Record]:
    """Store a record with the next number of its kind, its history entry and its audit entry.

    Raises IntegrityError when another writer took the same number at the same instant: the caller retries."""
    now = timezone.now()
    values = {
        **columns,
        "status": status,
        "author_id": author_id,
        "chat_id": chat_id,
        "created_at": now,
        "updated_at": now,
    }
    names = list(values)
    record_sql = (
        f"INSERT INTO record (number, {', '.join(names)}) "
        f"VALUES ((SELECT COALESCE(MAX(number), 0) + 1 FROM record WHERE kind = ?), "
        f"{', '.join('?' for _ in names)}) RETURNING *"
    )
    record_params = [*_db_values(Record, {"kind": values["kind"]}), *_db_values(Record, values)]

    record = Record._init_from_db(**(yield (record_sql, record_params))[0])
    after = snapshot(record)
    event = {"record_id": record.id, "at": now, "actor_id": author_id, "action": CREATED, "after": after}
    yield _insert_sql(RecordEvent, event)
    audit = {
        "at": now,
        "actor_id": author_id,
        "chat_id": chat_id,
        "action": "record.create",
        "target": record.short_id,
        "after": after,
    }
    yield _insert_sql(AuditEntry, audit)
    return record


def _insert_sql(model: type[Model], values: Mapping[str, object]) -> tuple[str, list[Any]]:
    """An INSERT of one row of `model`, its values as the ORM would store them."""
    names = ", ".join(values)
    return (
        f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({', '.join('?' for _ in values)})",
        _db_values(model, values),
    )


def _db_values(model: type[Model], values: Mapping[str, object]) -> list[Any]:
    """Values as the model's fields store them (JSON as text, enums as their value, decimals and timestamps
    as the database keeps them)."""
    fields = model._meta.fields_map
    return [
        fields[name].to_db_value(value, model) if name in fields else value for name, value in values.items()
    ]


def snapshot(record: Record) -> dict[str, object]:
    """The fields of a record as plain JSON, for history and audit."""
    return {
        "status": record.status,
        "subkind": record.subkind,
        "order": record.order_no,
        "tracking": record.tracking_no,
        "buyer": record.buyer,
        "phone": record.phone,
        "address": record.address,
        "amount": str(record.amount) if record.amount is not None else None,
        **record.data,
    }
