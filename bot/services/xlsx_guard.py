"""An uploaded .xlsx checked before openpyxl opens it, because openpyxl trusts the file.

openpyxl loads every shared text at open, builds each row as an XML tree before handing it over and pads
rows to the width the sheet declares: a 300 KB file can hold a 300 MB text, one row a million cells. Here the
zip's declared sizes and ratios are checked without inflating anything, then every XML part is streamed once
through a parser that keeps no tree (and refuses DTDs and entities), counting rows, columns, cells, text
lengths and other elements, and stopping at the first cap passed. Python's zipfile never inflates more than
a member's declared size (a member that lies fails its CRC), so the declared sizes bound all the work."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from zipfile import ZipFile, ZipInfo

from defusedxml.ElementTree import DefusedXMLParser

from bot.i18n import N_
from bot.services.errors import UserError
from bot.services.sheet_limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MB,
    TOO_MANY_CELLS,
    Tally,
    check_column,
    check_length,
    check_row,
    count,
    size,
)

MAX_PARTS = 100
"""Excel writes about a dozen parts for one sheet."""
MAX_PART_BYTES = 20 * MB
MAX_UNPACKED_BYTES = 50 * MB
MAX_RATIO = 100
"""Sheets compress 5-20 to 1; a thousand to one is a zip bomb."""
RATIO_FROM = MB
"""Parts smaller than this are harmless whatever their ratio."""
MAX_ELEMENTS = 20_000
"""XML elements in a part outside rows and shared texts (styles, column widths, merged cells …)."""
MAX_ELEMENTS_IN_ENTRY = 1_000
"""XML elements inside one row or one shared text (a cell's value, formula, rich-text runs)."""
CHUNK = 64 * 1024

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
WORKSHEET, SHEET_DATA, ROW, CELL, DIMENSION = (
    f"{MAIN}{name}" for name in ("worksheet", "sheetData", "row", "c", "dimension")
)
SHARED_STRINGS, SHARED_STRING = f"{MAIN}sst", f"{MAIN}si"

NOT_A_SPREADSHEET = N_("I could not open that file as a spreadsheet.")
TOO_MANY_PARTS = N_("The spreadsheet has {count} parts; the limit is {limit}.")
UNPACKS_TO = N_("The spreadsheet unpacks to {size}; the limit is {limit}.")
PART_UNPACKS_TO = N_("The part “{part}” of the spreadsheet unpacks to {size}; the limit is {limit}.")
PACKED_TIGHT = N_(
    "The part “{part}” of the spreadsheet is compressed {ratio} to 1; the limit is {limit} to 1."
)
TOO_COMPLEX = N_(
    "The part “{part}” of the spreadsheet has more than {limit} XML elements in one place: "
    "save the table again as a plain .xlsx or .csv."
)
TEXT_TOO_LONG = N_("A text in the spreadsheet holds {length} characters; the limit for a cell is {limit}.")


@dataclass(slots=True)
class Extent:
    """How far the sheets reach: the last row and column that hold a cell."""

    rows: int = 0
    columns: int = 0


def check(archive: ZipFile) -> Extent:
    """Refuse an archive past any cap (UserError naming it); otherwise how far its sheets reach."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    check_sizes(infos)
    extent = Extent()
    for info in infos:
        scan = PartScan(info.filename)
        try:
            stream(archive, info, scan)
        except UserError:
            raise
        except Exception as exc:  # a broken zip, a forbidden DTD, bad XML or a bad coordinate
            raise UserError(NOT_A_SPREADSHEET) from exc
        extent.rows = max(extent.rows, scan.tally.rows)
        extent.columns = max(extent.columns, scan.tally.columns)
    return extent


def check_sizes(infos: list[ZipInfo]) -> None:
    """The zip's own declarations: how many parts, how big unpacked, how tightly packed."""
    if len(infos) > MAX_PARTS:
        raise UserError(TOO_MANY_PARTS, count=count(len(infos)), limit=count(MAX_PARTS))
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise UserError(
                PART_UNPACKS_TO, part=info.filename, size=size(info.file_size), limit=size(MAX_PART_BYTES)
            )
        if info.file_size >= RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UserError(
                PACKED_TIGHT,
                part=info.filename,
                ratio=count(info.file_size // max(info.compress_size, 1)),
                limit=count(MAX_RATIO),
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise UserError(UNPACKS_TO, size=size(total), limit=size(MAX_UNPACKED_BYTES))


def stream(archive: ZipFile, info: ZipInfo, scan: PartScan) -> None:
    """Feed one part through the scan in small chunks. A part that is not XML from its first byte (a picture)
    is skipped: openpyxl's parser, the same expat, would refuse it just as early."""
    parser = DefusedXMLParser(target=scan, forbid_dtd=True)
    with archive.open(info) as source:
        while chunk := source.read(CHUNK):
            try:
                parser.feed(chunk)
            except ParseError:
                if scan.root is None:
                    return
                raise
        parser.close()


class PartScan:
    """A streaming parser's target for one XML part: counts what openpyxl would build, keeps no tree."""

    def __init__(self, part: str) -> None:
        """Nothing seen yet."""
        self.part = part
        self.root: str | None = None
        self.tally = Tally()
        self.entry: str | None = None
        """The row or shared text being read, if any."""
        self.in_entry = 0
        self.elsewhere = 0
        self.row = self.column = self.cells_in_row = 0
        self.in_cell = False
        self.length = 0
        self.shared = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """An element opens: rows, cells, the dimension and shared texts are checked, the rest counted."""
        if self.root is None:
            self.root = tag
        if self.entry is not None:
            self.count_in_entry()
            if tag == CELL and self.entry == ROW:
                self.start_cell(attrib.get("r"))
        elif tag == ROW and self.root == WORKSHEET:
            self.start_row(attrib.get("r"))
        elif tag == SHARED_STRING and self.root == SHARED_STRINGS:
            self.start_shared()
        else:
            self.elsewhere += 1
            if self.elsewhere > MAX_ELEMENTS:
                raise UserError(TOO_COMPLEX, part=self.part, limit=count(MAX_ELEMENTS))
            if tag == DIMENSION and self.root == WORKSHEET:
                check_dimension(attrib.get("ref", ""))

    def end(self, tag: str) -> None:
        """An element closes: a cell's or shared text's length is checked once it is whole."""
        if tag == CELL and self.in_cell:
            self.in_cell = False
            check_length(self.row, self.column, self.length)
        elif tag == self.entry:
            self.entry = None
            if tag == SHARED_STRING and self.length > MAX_CELL_CHARS:
                raise UserError(TEXT_TOO_LONG, length=count(self.length), limit=count(MAX_CELL_CHARS))

    def data(self, text: str) -> None:
        """Text inside a cell or a shared text counts toward its length."""
        if self.in_cell or self.entry == SHARED_STRING:
            self.length += len(text)

    def close(self) -> None:
        """The part ended (nothing to build)."""

    def count_in_entry(self) -> None:
        """One more element inside the current row or shared text."""
        self.in_entry += 1
        if self.in_entry > MAX_ELEMENTS_IN_ENTRY:
            raise UserError(TOO_COMPLEX, part=self.part, limit=count(MAX_ELEMENTS_IN_ENTRY))

    def start_row(self, ref: str | None) -> None:
        """A row: its number is the one it states, or the one after the previous row."""
        self.row = int(float(ref)) if ref else self.row + 1
        self.tally.row(self.row)
        self.entry, self.in_entry, self.column, self.cells_in_row = ROW, 0, 0, 0

    def start_cell(self, ref: str | None) -> None:
        """A cell: its column is the one it states, or the one after the previous cell."""
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string  # at first use

        self.column = column_index_from_string(coordinate_from_string(ref)[0]) if ref else self.column + 1
        self.cells_in_row += 1
        self.tally.cell(max(self.column, self.cells_in_row))
        self.in_cell, self.length = True, 0

    def start_shared(self) -> None:
        """A shared text: there can be no more of them than cells."""
        self.shared += 1
        if self.shared > MAX_CELLS:
            raise UserError(TOO_MANY_CELLS, limit=count(MAX_CELLS))
        self.entry, self.in_entry, self.length = SHARED_STRING, 0, 0


def check_dimension(ref: str) -> None:
    """The sheet's own statement of its size (A1:XFD200000), checked before any row is read."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string  # loaded at first use

    last = ref.rpartition(":")[2]
    if last:
        column, row = coordinate_from_string(last)
        check_row(row)
        check_column(column_index_from_string(column))
