"""The phrase book as a spreadsheet: export every phrase, import edits and new ones all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.i18n import N_, Translator
from bot.models import Phrase
from bot.services import sheets
from bot.services.errors import UserError
from bot.services.headers import Table, read_table
from bot.services.ids import parse_id
from bot.services.phrases import book

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号"),
    "category": ("category", "分类"),
    "title": ("title", "标题"),
    "text": ("text", "内容", "话术"),
    "language": ("language", "语言"),
    "active": ("active", "启用"),
}
HEADERS = (N_("id"), N_("category"), N_("title"), N_("text"), N_("language"), N_("active"))
"""The exported header row, translated; the import reads either language's names (COLUMNS)."""
REQUIRED = ("category", "title", "text")
MAX_ROWS = 5_000
MAX_PROBLEMS = 20
EMPTY = N_("The file has no phrases: export them with /phrase export to see the columns.")
NO_WORDS = frozenset({"no", "n", "false", "0", "off", "否", "停用", "关"})


@dataclass(frozen=True, slots=True)
class Row:
    """One checked row: an existing phrase to change (id) or a new one."""

    id: int | None
    draft: book.Draft
    active: bool


async def export(t: Translator) -> tuple[bytes, int]:
    """Every phrase, active or not, as an xlsx; with the number of rows."""
    phrases = await Phrase.all().order_by("id")
    rows: list[list[sheets.Cell]] = [
        [p.id, p.category, p.title, p.text, p.language, t("yes") if p.active else t("no")] for p in phrases
    ]
    return sheets.xlsx([t(header) for header in HEADERS], rows, title="phrases"), len(rows)


def read_row(table: Table, cells: list[str]) -> Row:
    """One data row, checked."""

    def cell(key: str) -> str:
        """The row's text in a column."""
        return table.cell(cells, key)

    number = parse_id(cell("id")) if cell("id") else None
    draft = book.checked(book.parse_category(cell("category")), cell("title"), cell("text"), cell("language"))
    return Row(number, draft, cell("active").lower() not in NO_WORDS)


async def plan(data: bytes, filename: str) -> tuple[list[Row], list[tuple[int, UserError]]]:
    """Every row checked: the good rows, and each bad row's number with what is wrong (nothing is written
    while there is one)."""
    table = await read_table(data, filename, COLUMNS, REQUIRED, max_rows=MAX_ROWS, empty=EMPTY)
    good: list[Row] = []
    bad: list[tuple[int, UserError]] = []
    known = {int(str(i)) for i in await Phrase.all().values_list("id", flat=True)}
    for number, cells in table.rows:
        try:
            row = read_row(table, cells)
            if row.id is not None and row.id not in known:
                raise UserError(N_("There is no phrase #{id}."), id=row.id)
            good.append(row)
        except UserError as error:
            bad.append((number, error))
    return good, bad


async def apply(rows: list[Row], *, actor_id: int, chat_id: int) -> tuple[int, int]:
    """Write every row in one transaction, each audited; returns (added, changed)."""
    added = changed = 0
    async with in_transaction() as conn:
        wanted = [row.id for row in rows if row.id]
        existing = {p.id: p for p in await Phrase.filter(id__in=wanted).using_db(conn)}
        for row in rows:
            d = row.draft
            phrase = existing.get(row.id or 0)
            if phrase is None:
                phrase = Phrase(
                    category=d.category,
                    title=d.title,
                    text=d.text,
                    language=d.language,
                    active=row.active,
                    created_by=actor_id,
                )
                await book.save(
                    phrase, actor_id=actor_id, chat_id=chat_id, action="phrase.import", before=None, conn=conn
                )
                added += 1
                continue
            before = book.snapshot(phrase)
            phrase.category, phrase.title, phrase.text = d.category, d.title, d.text
            phrase.language, phrase.active = d.language, row.active
            if book.snapshot(phrase) != before:
                await book.save(
                    phrase,
                    actor_id=actor_id,
                    chat_id=chat_id,
                    action="phrase.import",
                    before=before,
                    conn=conn,
                )
                changed += 1
    book.invalidate()
    return added, changed
