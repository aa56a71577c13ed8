"""Spreadsheets in and out: finance, the warehouse and supervisors live in xlsx, so tables travel as files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from bot.i18n import N_
from bot.services.errors import UserError

Cell = str | int | float | Decimal | date | datetime | None
MAX_WIDTH = 60


def xlsx(headers: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Sheet1") -> bytes:
    """One sheet with a bold, frozen header row and columns wide enough to read; rows stream (write-only)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    widths = [len(header) for header in headers]
    sheet.append(list(headers))
    for row in rows:
        sheet.append([naive(cell) for cell in row])
        for index, cell in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], min(MAX_WIDTH, len(str(cell)) if cell is not None else 0))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def naive(cell: Cell) -> Cell:
    """Excel has no time zones: datetimes are written as the local wall time they were given in."""
    return cell.replace(tzinfo=None) if isinstance(cell, datetime) else cell


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without garbling."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([("" if cell is None else naive(cell)) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The rows of an uploaded .xlsx or .csv file as text, header row included, blank rows dropped."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = read_xlsx(data)
    elif name.endswith(".csv"):
        rows = read_csv(data)
    else:
        raise UserError(N_("The file must be an .xlsx or .csv file, not “{value}”."), value=filename)
    return [row for row in rows if any(cell for cell in row)]


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise UserError(N_("I could not open that file as a spreadsheet.")) from exc
    sheet = book.worksheets[0]
    rows = [[text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def read_csv(data: bytes) -> list[list[str]]:
    """A CSV in UTF-8 (with or without BOM) or GB18030, the two encodings Chinese Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(decoded))]
    raise UserError(N_("I could not read that CSV file: save it as UTF-8."))


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
