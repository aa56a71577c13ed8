"""Records of a period as a spreadsheet: the team's columns per kind, personal data masked for roles that may
not see it, streamed from the database in chunks so 100,000 rows take little memory and a few seconds."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Max, Min

from bot.enums import RECORD_PREFIX, RecordKind
from bot.i18n import N_, Translator
from bot.models import Person, Record
from bot.services import audit, masking
from bot.services import sql_portable as sql
from bot.services.errors import UserError
from bot.services.records import text as rt
from bot.services.records.book import kind_named
from bot.services.records.fields import FIELD_BY_KEY
from bot.services.sheets import Cell, CsvSheet, XlsxSheet
from bot.services.when import Period, read_period
from bot.services.when.days import MONTH

ALL = "all"
ALL_WORDS = frozenset({"all", "everything", "records", "all records", "全部", "所有", "全部记录", "所有记录"})
FORMATS: dict[str, str] = {"xlsx": "xlsx", "excel": "xlsx", "表格": "xlsx", "csv": "csv"}
KIND_CHOICES = "refund 退款, courier 查件, complaint 投诉, problem 问题, review 差评, all 全部"
CHUNK = 5000
"""Rows read per query: big enough to be quick, small enough to keep memory flat."""

COMMON = ("id", "logged_at", "author", "status")
KIND_COLUMNS: dict[RecordKind | str, tuple[str, ...]] = {
    RecordKind.REFUND: (
        "order", "amount", "buyer", "name", "alipay", "phone", "address", "reason", "postage", "tracking",
        "insured",
    ),
    RecordKind.COURIER: (
        "subkind", "tracking", "carrier", "order", "buyer", "phone", "from", "to", "origin", "last", "text",
    ),
    RecordKind.COMPLAINT: ("subkind", "order", "buyer", "phone", "address", "text", "offer"),
    RecordKind.PROBLEM: ("subkind", "order", "buyer", "address", "text"),
    RecordKind.REVIEW: ("subkind", "order", "buyer", "phone", "text"),
    ALL: ("kind", "subkind", *FIELD_BY_KEY),
}  # fmt: skip
"""The columns after id, time, author and status: each table in the order the team keeps it."""
HEADERS: dict[str, str] = {
    "id": N_("id"),
    "logged_at": N_("logged at"),
    "author": N_("logged by"),
    "status": N_("status"),
    "kind": N_("record"),
    "subkind": rt.KIND_FIELD,
    **{key: spec.label for key, spec in FIELD_BY_KEY.items()},
}
COLUMN_OF = {
    "order": "order_no",
    "tracking": "tracking_no",
    "buyer": "buyer",
    "phone": "phone",
    "address": "address",
}
DECIMALS = frozenset({"amount", "origin", "last"})
SELECTED = (
    "id",
    "kind",
    "number",
    "status",
    "subkind",
    "author_id",
    "created_at",
    "amount",
    "data",
    *COLUMN_OF.values(),
)


@dataclass(frozen=True, slots=True)
class Request:
    """What /export was asked for."""

    kind: RecordKind | None
    period: Period
    fmt: str

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the file."""
        return (*COMMON, *KIND_COLUMNS[self.kind or ALL])

    @property
    def filename(self) -> str:
        """`refund-2026-11-01_2026-11-30.xlsx`."""
        return f"{self.kind or ALL}-{self.period.slug}.{self.fmt}"

    def query(self) -> Q:
        """The records the file holds."""
        within = Q(created_at__gte=self.period.start, created_at__lt=self.period.end)
        return Q(within, kind=self.kind) if self.kind else within


def parse(words: list[str], now: datetime, zone: ZoneInfo) -> Request:
    """`<kind|all> [period] [xlsx|csv]`, in any order after the kind; the period in any words (昨天, 上月,
    last week, 11月, 近7天); a clear error for anything unknown."""
    if not words:
        raise UserError(N_("Export what? Kinds: {choices}."), choices=KIND_CHOICES)
    kind: RecordKind | None = None
    taken = 2 if len(words) > 1 and _kind_or_all(" ".join(words[:2])) else 1
    named = " ".join(words[:taken])
    if named.strip().lower() not in ALL_WORDS:
        kind = kind_named(named)
        if kind is None:
            raise UserError(
                N_("Unknown kind “{value}”. Export one of: {choices}."), value=words[0], choices=KIND_CHOICES
            )
    words = words[taken - 1 :]
    fmts = [FORMATS[word.strip().lower()] for word in words[1:] if word.strip().lower() in FORMATS]
    said = " ".join(word for word in words[1:] if word.strip().lower() not in FORMATS)
    if len(fmts) > 1:
        raise UserError(N_("I do not understand “{value}”."), value=words[-1])
    return Request(kind, read_period(said, now, zone, default=MONTH), fmts[0] if fmts else "xlsx")


def _kind_or_all(words: str) -> bool:
    """Whether the words name a kind (courier queries, complaint slips) or everything (all records)."""
    return words.strip().lower() in ALL_WORDS or kind_named(words) is not None


async def count(request: Request) -> int:
    """How many rows the file will have."""
    return await Record.filter(request.query()).count()


def chunk_query(request: Request) -> tuple[str, list[Any]]:
    """One chunk's query and its first parameters; the last three are the id range and the chunk size."""
    params: list[Any] = [request.period.start, request.period.end]
    kind = ""
    if request.kind:
        kind, params = " AND kind = ?", [*params, request.kind.value]
    return (
        f"SELECT {', '.join(SELECTED)} FROM record WHERE created_at >= ? AND created_at < ?{kind} "
        "AND id > ? AND id <= ? ORDER BY id LIMIT ?"
    ), params


async def chunks(request: Request) -> AsyncIterator[list[dict[str, Any]]]:
    """The records in the order they were logged (by id), CHUNK at a time, each query starting where the last
    ended; the period's id range keeps every query on the primary key. Plain rows, not models: building
    100,000 ORM objects would take longer than writing the file."""
    bounds = (
        await Record.filter(request.query()).annotate(low=Min("id"), high=Max("id")).values("low", "high")
    )
    if not bounds or bounds[0]["low"] is None:
        return
    last, high = int(bounds[0]["low"]) - 1, int(bounds[0]["high"])
    query, params = chunk_query(request)
    while last < high:
        rows = await sql.rows(query, [*params, last, high, CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


class Cells:
    """Turns a stored row into the file's cells in the chat's language, masking personal data when asked."""

    def __init__(self, t: Translator, request: Request, authors: dict[int, str], *, masked: bool) -> None:
        self.columns = request.columns
        self.zone = request.period.zone
        self.authors = authors
        self.masked = masked
        self.t = t
        self.labels: dict[str, str] = {}

    def label(self, message: str) -> str:
        """A translated label, looked up once per file."""
        if message not in self.labels:
            self.labels[message] = self.t(message)
        return self.labels[message]

    def row(self, stored: dict[str, Any]) -> list[Cell]:
        """One record's cells (from a plain row: SQLite gives text where PostgreSQL gives types)."""
        kind = RecordKind(stored["kind"])
        data = stored["data"]
        data = json.loads(data) if isinstance(data, str) else data or {}
        created = stored["created_at"]
        if isinstance(created, str):
            stored["created_at"] = datetime.fromisoformat(created)
        return [self.cell(key, kind, stored, data) for key in self.columns]

    def cell(self, key: str, kind: RecordKind, stored: dict[str, Any], data: dict[str, Any]) -> Cell:
        """One cell: ids, times, labels and masked values as the team reads them; numbers stay numbers."""
        value: Any
        if key == "id":
            return f"{RECORD_PREFIX[kind]}-{stored['number']}"
        if key == "logged_at":
            return stored["created_at"].astimezone(self.zone)  # type: ignore[no-any-return]
        if key == "author":
            return self.authors.get(stored["author_id"], str(stored["author_id"]))
        if key == "status":
            return self.label(rt.STATUS_LABELS.get(stored["status"], stored["status"]))
        if key == "kind":
            return self.label(rt.KIND_LABELS[kind])
        if key == "subkind":
            sub = stored["subkind"]
            return self.label(rt.SUBKIND_LABELS.get(sub, sub)) if sub else None
        value = stored[COLUMN_OF.get(key, key)] if key in COLUMN_OF or key == "amount" else data.get(key)
        if value is None or value == "":
            return None
        if key in DECIMALS:
            return Decimal(str(value))
        if key in masking.MASKS and self.masked:
            return masking.MASKS[key](str(value))
        return rt.show_value(self.t, key, value, masked=False)


async def log(request: Request, *, actor_id: int, chat_id: int, rows: int, masked: bool) -> None:
    """Who took which customer data out, and when: exports go to the audit log."""
    await audit.record(
        actor_id=actor_id,
        chat_id=chat_id,
        action="export",
        target=request.filename,
        after={"rows": rows, "masked": masked},
    )


async def authors() -> dict[int, str]:
    """Everyone's display name (the team is small: one query, not one per row)."""
    return {person.id: person.display_name for person in await Person.all()}


async def build(t: Translator, request: Request, *, masked: bool) -> bytes:
    """The file: chunks are read here and written in a worker thread, so the bot keeps answering meanwhile."""
    headers = [t(HEADERS[key]) for key in request.columns]
    sheet_type: Callable[[list[str], str], XlsxSheet | CsvSheet] = (
        XlsxSheet if request.fmt == "xlsx" else CsvSheet
    )
    sheet = sheet_type(headers, t(rt.KIND_LABELS[request.kind]) if request.kind else t("All records"))
    cells = Cells(t, request, await authors(), masked=masked)
    async for rows in chunks(request):
        await asyncio.to_thread(sheet.add, map(cells.row, rows))
    return await asyncio.to_thread(sheet.finish)
