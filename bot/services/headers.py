"""Columns of an uploaded table found by their header names, in Chinese or English, wherever they stand."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.i18n import N_
from bot.services import sheets
from bot.services.errors import UserError

UNITS = re.compile(r"[(（\[【].*?[)）\]】]")
"""A unit or note in brackets after a header name: 平均响应时间(秒), sales (CNY)."""
SPACES = re.compile(r"[\s_\-:：]+")


def normalise(header: str) -> str:
    """A header as compared: width-folded, lower case, without units in brackets, spaces or dashes."""
    return SPACES.sub("", UNITS.sub("", unicodedata.normalize("NFKC", header)).lower())


def find_columns(
    header: Sequence[str], names: Mapping[str, Sequence[str]], required: Sequence[str]
) -> dict[str, int]:
    """Column key → position for every key whose name appears in the header row; a missing required key is an
    error naming the names it may have."""
    wanted = {normalise(name): key for key, aliases in names.items() for name in aliases}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = wanted.get(normalise(cell))
        if key is not None and key not in found:
            found[key] = position
    missing = [key for key in required if key not in found]
    if missing:
        raise UserError(
            N_("The first row needs a column named {names}."), names=" / ".join(names[missing[0]])
        )
    return found


@dataclass(frozen=True, slots=True)
class Table:
    """An uploaded table: where each named column stands, and the non-blank data rows with their numbers."""

    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]

    def cell(self, cells: list[str], key: str) -> str:
        """A row's text in a named column ('' when the column or the cell is missing)."""
        position = self.columns.get(key)
        return cells[position].strip() if position is not None and position < len(cells) else ""


async def read_table(
    data: bytes,
    filename: str,
    names: Mapping[str, Sequence[str]],
    required: Sequence[str],
    *,
    max_rows: int,
    empty: str,
) -> Table:
    """A file's header found by names and its data rows (numbered as the spreadsheet shows them), within the
    caps of sheets.py and `max_rows`; `empty` says what to send when it has no data rows."""
    rows = await sheets.read_rows_async(data, filename)
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if len(numbered) < 2:
        raise UserError(empty)
    if len(numbered) > max_rows + 1:
        raise UserError(N_("The file has more than {limit} rows."), limit=max_rows)
    return Table(find_columns(numbered[0][1], names, required), numbered[1:])
