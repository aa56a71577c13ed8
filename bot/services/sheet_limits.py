"""Hard caps on an uploaded table, and the count that refuses it at the first cap it passes, naming that cap.

A roster is about 500 people by 31 days and the returned refund table a few thousand rows by a dozen columns;
the caps leave room for both and keep a hostile file's cost small (see docs/benchmarks.md, bench/files.py)."""

from __future__ import annotations

from bot.i18n import N_
from bot.services.errors import UserError

MB = 1024 * 1024
MAX_FILE_BYTES = 5 * MB
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_CELLS = 200_000
MAX_CELL_CHARS = 1_000
LAST_LETTERED_COLUMN = 18_278
"""ZZZ: spreadsheets name columns by up to three letters; a CSV can be wider, then it is a number."""

FILE_TOO_BIG = N_("The file is {size}; the limit is {limit}.")
TOO_MANY_ROWS = N_("The table reaches row {row}; the limit is {limit} rows.")
TOO_MANY_COLUMNS = N_("The table reaches column {column}; the limit is {limit} columns (up to {last}).")
TOO_MANY_CELLS = N_("The table has more than {limit} cells, the most one file may hold.")
CELL_TOO_LONG = N_("Cell {cell} holds {length} characters; the limit is {limit}.")


def count(number: int) -> str:
    """A count as people read it: 200,000."""
    return f"{number:,}"


def size(number: int) -> str:
    """A byte size in MB with one decimal (KB below 1 MB)."""
    return f"{number / MB:,.1f} MB" if number >= MB else f"{number / 1024:,.0f} KB"


def column_name(column: int) -> str:
    """A column as a spreadsheet shows it (XFD), or its number where letters run out."""
    from openpyxl.utils.cell import get_column_letter  # openpyxl loads with the first sheet, not at start

    return get_column_letter(column) if 1 <= column <= LAST_LETTERED_COLUMN else count(column)


def check_file(data: bytes) -> None:
    """Refuse a file larger than any table the bot expects, before reading a byte of it."""
    if len(data) > MAX_FILE_BYTES:
        raise UserError(FILE_TOO_BIG, size=size(len(data)), limit=size(MAX_FILE_BYTES))


def check_row(row: int) -> None:
    """Refuse a table that reaches past the last row allowed."""
    if row > MAX_ROWS:
        raise UserError(TOO_MANY_ROWS, row=count(row), limit=count(MAX_ROWS))


def check_column(column: int) -> None:
    """Refuse a table that reaches past the last column allowed."""
    if column > MAX_COLUMNS:
        raise UserError(
            TOO_MANY_COLUMNS,
            column=column_name(column),
            limit=count(MAX_COLUMNS),
            last=column_name(MAX_COLUMNS),
        )


def check_length(row: int, column: int, length: int) -> None:
    """Refuse a cell longer than any field the bot keeps, naming it (B2)."""
    if length > MAX_CELL_CHARS:
        raise UserError(
            CELL_TOO_LONG,
            cell=f"{column_name(column)}{row}",
            length=count(length),
            limit=count(MAX_CELL_CHARS),
        )


class Tally:
    """Counts the cells of one table as they stream past; refuses at the first cap passed."""

    __slots__ = ("cells", "columns", "rows")

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.cells = self.rows = self.columns = 0

    def row(self, row: int) -> None:
        """A row starts (its number as a spreadsheet shows it)."""
        check_row(row)
        self.rows = max(self.rows, row)

    def cell(self, column: int) -> None:
        """One more cell in the current row, at this column."""
        check_column(column)
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise UserError(TOO_MANY_CELLS, limit=count(MAX_CELLS))
        self.columns = max(self.columns, column)
