"""Spreadsheets in and out: finance, the warehouse and supervisors live in xlsx, so tables travel as files."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from zipfile import ZipFile

import xlsxwriter

from bot.i18n import N_
from bot.services import sheet_limits as limits
from bot.services import xlsx_guard
from bot.services.errors import UserError
from bot.services.sheet_limits import MAX_COLUMNS

Cell = str | int | float | Decimal | date | datetime | None
MAX_WIDTH = 60
DATE_WIDTH = 16
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
"""Rows go to a temporary file as they come; a typed "=…" or URL stays text (no formula injection)."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""What makes Excel or WPS read a CSV cell as a formula (OWASP), with the full-width forms an IME types."""
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

# A CSV field may be as long as the file: csv's own 128 KB limit would crash the read, while the caps refuse a
# long cell by name. The limit is process-wide; the bot reads no other CSV.
csv.field_size_limit(max(csv.field_size_limit(), limits.MAX_FILE_BYTES))


class XlsxSheet:
    """One sheet written row by row in constant memory, with a bold, frozen header and readable widths."""

    def __init__(self, headers: Sequence[str], title: str = "Sheet1") -> None:
        self._out = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._out, XLSX_OPTIONS)
        self._sheet = self._book.add_worksheet(title[:31])
        self._datetime = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._widths = [len(header) for header in headers]
        self._row = 1
        self._sheet.freeze_panes(1, 0)
        self._sheet.write_row(0, 0, list(headers), self._book.add_format({"bold": True}))

    def add(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows; each cell keeps its type (numbers stay numbers, so finance can sum them)."""
        sheet, widths = self._sheet, self._widths
        for row in rows:
            for column, cell in enumerate(row[: len(widths)]):
                if cell is None:
                    continue
                if isinstance(cell, str):
                    sheet.write_string(self._row, column, cell)
                    width = len(cell)
                elif isinstance(cell, datetime):
                    sheet.write_datetime(self._row, column, naive(cell), self._datetime)
                    width = DATE_WIDTH
                elif isinstance(cell, date):
                    sheet.write_datetime(self._row, column, cell, self._date)
                    width = DATE_WIDTH
                else:
                    sheet.write_number(self._row, column, cell)
                    width = len(str(cell))
                if width > widths[column]:
                    widths[column] = min(MAX_WIDTH, width)
            self._row += 1

    def finish(self) -> bytes:
        """Set the column widths and return the file."""
        for column, width in enumerate(self._widths):
            self._sheet.set_column(column, column, width + 2)
        self._book.close()
        return self._out.getvalue()


class CsvSheet:
    """The same interface for CSV: UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it.

    Every text cell goes through `defuse`: nothing a buyer typed runs as a formula when finance opens it."""

    def __init__(self, headers: Sequence[str], title: str = "Sheet1") -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out)
        self._writer.writerow([defuse(header) for header in headers])

    def add(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows; empty cells stay empty."""
        self._writer.writerows(
            [("" if cell is None else defuse(naive(cell))) for cell in row] for row in rows
        )

    def finish(self) -> bytes:
        """The file's bytes."""
        return self._out.getvalue().encode("utf-8-sig")


def defuse(cell: Cell) -> Cell:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV injection
    advice); numbers, and texts that are plain numbers such as -5, stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def xlsx(headers: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Sheet1") -> bytes:
    """One sheet with a bold, frozen header row and columns wide enough to read; rows stream."""
    sheet = XlsxSheet(headers, title)
    sheet.add(rows)
    return sheet.finish()


def naive(cell: Cell) -> Cell:
    """Excel has no time zones: datetimes are written as the local wall time they were given in, to the
    second (microseconds only clutter a cell)."""
    return cell.replace(tzinfo=None, microsecond=0) if isinstance(cell, datetime) else cell


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV table (see CsvSheet)."""
    sheet = CsvSheet(headers)
    sheet.add(rows)
    return sheet.finish()


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    """Every row of an uploaded .xlsx or .csv file as text, blank ones too, so row numbers match the sheet's.

    The file is checked before it is parsed and read row by row within the caps of `sheet_limits`; the first
    cap passed stops the read with a UserError that names it."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".csv"):
        return read_csv(data)
    raise UserError(N_("The file must be an .xlsx or .csv file, not “{value}”."), value=filename)


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The rows of an uploaded .xlsx or .csv file as text, header row included, blank rows dropped."""
    return [row for row in read_rows(data, filename) if any(cell for cell in row)]


async def read_rows_async(data: bytes, filename: str) -> list[list[str]]:
    """`read_rows` in a worker thread, so every other chat is answered while a file is read."""
    return await asyncio.to_thread(read_rows, data, filename)


async def read_table_async(data: bytes, filename: str) -> list[list[str]]:
    """`read_table` in a worker thread, so every other chat is answered while a file is read."""
    return await asyncio.to_thread(read_table, data, filename)


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text, once xlsx_guard found the whole file within the caps."""
    limits.check_file(data)
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            extent = xlsx_guard.check(archive)
        from openpyxl import load_workbook  # half a second to import: loaded with the first upload

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UserError:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many kinds for a file that is not a workbook
        raise UserError(xlsx_guard.NOT_A_SPREADSHEET) from exc
    try:
        if not extent.rows:
            return []
        cells = book.worksheets[0].iter_rows(
            max_row=extent.rows, max_col=max(extent.columns, 1), values_only=True
        )
        return [[text(cell) for cell in row] for row in cells]
    except Exception as exc:  # openpyxl reads the sheet only now: a bad value or style shows here
        raise UserError(xlsx_guard.NOT_A_SPREADSHEET) from exc
    finally:
        book.close()


def read_csv(data: bytes) -> list[list[str]]:
    """A CSV in UTF-8 (with or without BOM) or GB18030, the two encodings Chinese Excel writes."""
    limits.check_file(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return csv_rows(decoded)
    raise UserError(N_("I could not read that CSV file: save it as UTF-8."))


def csv_rows(decoded: str) -> list[list[str]]:
    """The rows of a decoded CSV, counted against the caps as they stream; empty cells are not counted."""
    tally, rows = limits.Tally(), []
    reader = csv.reader(io.StringIO(decoded))
    try:
        for number, row in enumerate(reader, start=1):
            tally.row(number)
            beyond = next((i for i, cell in enumerate(row[MAX_COLUMNS:], MAX_COLUMNS + 1) if cell), None)
            for column, cell in enumerate(row[:MAX_COLUMNS], start=1):
                if cell:
                    tally.cell(column)
                    limits.check_length(number, column, len(cell))
            if beyond is not None:
                limits.check_column(beyond)
            rows.append([cell.strip() for cell in row[:MAX_COLUMNS]])
    except csv.Error as exc:
        raise UserError(
            N_("I could not read row {row} of that CSV file: save the table again as .xlsx or .csv."),
            row=limits.count(reader.line_num),
        ) from exc
    return rows


def text(cell: object) -> str:
    """A cell as the text a person typed: whole numbers without “.0”, dates as YYYY-MM-DD."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()
