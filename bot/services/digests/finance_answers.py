"""Finance's answers in the returned refund table: every row checked first, then all applied or none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from bot.enums import STATUS_FLOW, RecordKind
from bot.i18n import LOCALES, N_, translator
from bot.models import Record
from bot.services import sheets
from bot.services.clean import clean
from bot.services.digests.content import FINANCE_COLUMNS
from bot.services.errors import Msg, UserError
from bot.services.records import book as records
from bot.services.records.text import STATUS_LABELS

PAID, REJECTED = "paid", "rejected"
ANSWER_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("paid", "pay", "ok", "已打款", "打款", "已付款", "已付", "已支付", "已退款", "通过"), PAID
    ),
    **dict.fromkeys(("rejected", "reject", "驳回", "已驳回", "拒绝", "不通过"), REJECTED),
}
"""What finance writes in the result column, in English or Chinese; a rejection is followed by its reason."""
RESULT = N_("result")
RESULT_ALIASES = frozenset({"结果", "处理结果", "财务结果", "打款结果"})
SEPARATORS = " :：,，;；-—"
REASON_MAX = 200
OPTIONAL_COLUMNS = frozenset({records.REPEAT_OF, "insured"})
"""Columns a returned table may lack: the repeat warning and the insurance are for finance's eyes, not needed
to answer (and tables sent before the insurance column existed come back without it)."""
CHANGE = N_("{id} is {status}: it cannot move to {target}.")


@dataclass(slots=True)
class Answer:
    """One row's answer: the refund, paid or rejected, and finance's reason for a rejection."""

    row: int
    record: Record
    status: str
    reason: str | None = None


@dataclass(slots=True)
class Problem:
    """Why one row (1-based, as the spreadsheet numbers it) cannot be taken."""

    row: int
    error: UserError


@dataclass(slots=True)
class Reading:
    """A returned table, read: the answers to apply, rows already answered the same way, blank rows."""

    answers: list[Answer] = field(default_factory=list)
    unchanged: int = 0
    blank: int = 0


class TableError(Exception):
    """The returned table has problems; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def names(label: str) -> frozenset[str]:
    """A column's header in every language, as finance may have either file."""
    return frozenset(translator(locale)(label).strip().lower() for locale in LOCALES)


def parse_answer(cell: str) -> tuple[str, str | None] | None:
    """`paid`, `已打款`, `rejected: wrong account`, `驳回 支付宝不对` → (status, reason); blank → None."""
    text = cell.strip()
    if not text:
        return None
    lowered = text.lower()
    for word in sorted(ANSWER_WORDS, key=len, reverse=True):
        rest = text[len(word) :]
        if not lowered.startswith(word) or (word.isascii() and rest[:1].isalnum()):
            continue
        reason = clean(rest).strip(SEPARATORS)[:REASON_MAX]
        if ANSWER_WORDS[word] == PAID:
            return PAID, None
        if not reason:
            raise UserError(
                N_("A rejection needs a reason, e.g. “rejected: wrong Alipay account” or “驳回：支付宝不对”.")
            )
        return REJECTED, reason
    raise UserError(N_("“{value}” is not paid or rejected (已打款 / 驳回 + reason)."), value=cell)


def locate(header: list[str]) -> tuple[dict[str, int], int]:
    """Where each of the table's columns and the added result column are, or every missing column."""
    cells = [cell.strip().lower() for cell in header]
    found = {
        key: cells.index(name) for key, label in FINANCE_COLUMNS for name in names(label) if name in cells
    }
    problems = [
        Problem(1, UserError(N_("The header row lacks the column “{column}”."), column=Msg(label)))
        for key, label in FINANCE_COLUMNS
        if key not in found and key not in OPTIONAL_COLUMNS
    ]
    result = [i for i, cell in enumerate(cells) if cell in names(RESULT) | RESULT_ALIASES]
    extra = [i for i, cell in enumerate(cells) if cell and i not in found.values()]
    if not result and len(extra) != 1:
        problems.append(
            Problem(
                1,
                UserError(N_("Add a column “{column}” with paid or rejected + reason."), column=Msg(RESULT)),
            )
        )
    if problems:
        raise TableError(problems)
    return found, (result or extra)[0]


async def read_file(data: bytes, filename: str) -> Reading:
    """`read` a returned refund table straight from the file, parsed in a worker thread within the caps."""
    return await read(await sheets.read_table_async(data, filename))


async def read(table: list[list[str]]) -> Reading:
    """Check every row of a returned refund table; TableError lists each bad row, and nothing changes."""
    if not table:
        raise TableError([Problem(1, UserError(N_("The file is empty.")))])
    columns, result = locate(table[0])
    reading, problems, seen = Reading(), [], set()
    for number, row in enumerate(table[1:], start=2):
        cells = row + [""] * (len(table[0]) - len(row))
        try:
            answer = parse_answer(cells[result])
            if answer is None:
                reading.blank += 1
                continue
            record = await refund(cells[columns["id"]])
            if record.id in seen:
                raise UserError(N_("{id} is in the file twice."), id=record.short_id)
            seen.add(record.id)
            check_order(record, cells[columns["order"]])
            if record.status == answer[0]:
                reading.unchanged += 1
            elif answer[0] not in STATUS_FLOW[RecordKind.REFUND].get(record.status, ()):
                raise UserError(
                    CHANGE,
                    id=record.short_id,
                    status=Msg(STATUS_LABELS.get(record.status, record.status)),
                    target=Msg(STATUS_LABELS[answer[0]]),
                )
            else:
                reading.answers.append(Answer(number, record, *answer))
        except UserError as error:
            problems.append(Problem(number, error))
    if problems:
        raise TableError(problems)
    if not reading.answers and not reading.unchanged:
        raise TableError(
            [Problem(1, UserError(N_("No row has a result yet: write paid or rejected + reason.")))]
        )
    return reading


async def refund(cell: str) -> Record:
    """The refund a row's record id names."""
    if not cell.strip():
        raise UserError(N_("The record id is empty."))
    record = await records.get(cell)
    if record.kind != RecordKind.REFUND:
        raise UserError(N_("{id} is not a refund."), id=record.short_id)
    return record


def check_order(record: Record, cell: str) -> None:
    """A row whose order number differs from its record's was shifted or retyped: refuse to guess."""
    typed = re.sub(r"[\s-]", "", cell)
    if typed and typed != (record.order_no or ""):
        raise UserError(
            N_("The order number {value} does not match {id} (order {order})."),
            value=cell,
            id=record.short_id,
            order=record.order_no or "—",
        )


async def apply(reading: Reading, *, actor_id: int, chat_id: int) -> list[Answer]:
    """Apply every answer in one transaction (history and audit each); if one fails, none is kept."""
    row = 0
    try:
        async with in_transaction():
            for answer in reading.answers:
                row = answer.row
                await records.change_status(
                    answer.record, answer.status, actor_id=actor_id, chat_id=chat_id, reason=answer.reason
                )
    except UserError as error:  # someone answered the same refund meanwhile
        raise TableError([Problem(row, error)]) from None
    return reading.answers
