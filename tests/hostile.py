"""Hostile tables built in memory, for tests/test_hostile_files.py and bench/files.py: each file is small, and
each would cost a naive reader seconds and gigabytes. The XML streams into the zip, so building one stays
cheap in memory too (the tests measure the reader's peak, not the builder's)."""

from __future__ import annotations

import io
import random
import re
import resource
import string
import struct
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import psutil

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{DOC}/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{DOC}/worksheet"/>'
        f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{DOC}/sharedStrings"/>'
        "</Relationships>"
    ),
}
MB = 1024 * 1024


def xlsx(sheet: Iterable[str], shared: Iterable[str] = ()) -> bytes:
    """A minimal workbook whose first sheet's XML (and shared texts) are written piece by piece."""
    out = io.BytesIO()
    with ZipFile(out, "w", ZIP_DEFLATED, compresslevel=9) as archive:
        for name, xml in PARTS.items():
            archive.writestr(name, xml)
        for name, pieces in (
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", [f'<sst xmlns="{MAIN}">', *shared, "</sst>"]),
        ):
            with archive.open(name, "w") as part:
                for piece in pieces:
                    part.write(piece.encode())
    return out.getvalue()


def worksheet(rows: Iterable[str], dimension: str | None = None, before: Iterable[str] = ()) -> Iterator[str]:
    """A sheet's XML around its rows, with a declared size if given and other elements before the data."""
    yield f'<worksheet xmlns="{MAIN}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield from before
    yield "<sheetData>"
    yield from rows
    yield "</sheetData></worksheet>"


def row_bomb(declared: bool) -> bytes:
    """200,000 rows of one number, and one cell in the last column (XFD), as in the issue: ~1 MB."""
    rows = (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 200_000))
    last = '<row r="200000"><c r="XFD200000"><v>1</v></c></row>'
    return xlsx(worksheet([*rows, last], "A1:XFD200000" if declared else None))


def column_bomb(declared: bool) -> bytes:
    """One row with a number in every one of the 16,384 columns a sheet can have."""
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(16_384))
    return xlsx(worksheet([f'<row r="1">{cells}</row>'], "A1:XFD1" if declared else None))


def giant_cell(characters: int = 300 * MB, random_letters: bool = False) -> bytes:
    """One cell holding one shared text: 300 MB of one letter packs into ~300 KB, as in the issue; random
    letters pack poorly, so a smaller one passes the zip checks and meets the cell cap instead."""
    pieces: Iterable[str]
    if random_letters:
        pieces = [random_text(characters)]
    else:
        pieces = ("A" * min(MB, characters - start) for start in range(0, characters, MB))
    shared = ["<si><t>", *pieces, "</t></si>"]
    return xlsx(worksheet(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']), shared)


def random_text(characters: int) -> str:
    """Letters that do not compress much, the same every run."""
    return "".join(random.Random(characters).choices(string.ascii_letters, k=characters))


def deep_ratio() -> bytes:
    """A 15 MB sheet of blank rows packed about a thousand to one: under the size cap, past the ratio cap."""
    rows = ("<row/>" * 100_000 for _ in range(25))
    return xlsx(worksheet(rows))


def crowded_sheet() -> bytes:
    """30,000 column-width elements before the data: openpyxl would build each as an object at open."""
    columns = (f'<col min="{n}" max="{n}" width="9"/>' for n in range(1, 30_001))
    first = '<row r="1"><c r="A1"><v>1</v></c></row>'
    return xlsx(worksheet([first], before=["<cols>", *columns, "</cols>"]))


def lying_sizes() -> bytes:
    """A sheet whose zip entries claim a tenth of its real size: the inflation stops at the claim."""
    data = bytearray(xlsx(worksheet(["<row><c><v>1</v></c></row>" * 20_000])))
    name = b"xl/worksheets/sheet1.xml"
    with ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name.decode())
    central = next(
        found.start()
        for found in re.finditer(b"PK\x01\x02", data)
        if data[found.start() + 46 : found.start() + 46 + len(name)] == name
    )
    for start, offset in ((info.header_offset, 22), (central, 24)):  # the uncompressed size in each header
        struct.pack_into("<I", data, start + offset, info.file_size // 10)
    return bytes(data)


def doctype() -> bytes:
    """A billion-laughs DTD in the sheet: entities are refused, never expanded."""
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    head = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">{laughs}]>'
    return xlsx([head, *worksheet(['<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'])])


def long_csv_field() -> bytes:
    """A CSV whose second cell is 129 KB, past csv's own 128 KB field limit."""
    return b"id,note\nR-1," + b"x" * (129 * 1024) + b"\n"


def csv_rows(count: int) -> bytes:
    """A CSV of `count` short rows."""
    return b"id,amount\n" + b"".join(b"R-%d,1\n" % n for n in range(count))


def wide_csv() -> bytes:
    """A CSV whose only row has a value in column 16,384."""
    return b"," * 16_383 + b"x\n"


def fifty_year_roster(today: date) -> bytes:
    """A roster CSV with a column a year for fifty years from today, every day a day shift."""
    days = [today.replace(year=today.year + n) for n in range(50)]
    header = "person," + ",".join(day.isoformat() for day in days)
    return f"{header}\n@bob,{','.join('day' for _ in days)}\n".encode()


FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "row bomb, size declared": (lambda: row_bomb(declared=True), "bomb.xlsx"),
    "row bomb": (lambda: row_bomb(declared=False), "bomb.xlsx"),
    "column bomb, size declared": (lambda: column_bomb(declared=True), "wide.xlsx"),
    "column bomb": (lambda: column_bomb(declared=False), "wide.xlsx"),
    "giant shared text (300 MB in 300 KB)": (giant_cell, "cell.xlsx"),
    "long shared text (1 MB)": (lambda: giant_cell(1_000_000, random_letters=True), "cell.xlsx"),
    "deep zip ratio": (deep_ratio, "ratio.xlsx"),
    "crowded sheet": (crowded_sheet, "cols.xlsx"),
    "zip entries that lie about their size": (lying_sizes, "lies.xlsx"),
    "billion laughs": (doctype, "laughs.xlsx"),
    "129 KB CSV field": (long_csv_field, "field.csv"),
    "CSV row bomb": (lambda: csv_rows(200_000), "rows.csv"),
    "CSV column bomb": (wide_csv, "wide.csv"),
    "file over 5 MB": (lambda: b"x" * (6 * MB), "big.csv"),
}
"""Every hostile upload by name: how to build it, and the file name it is sent under."""


def peak_growth(action: Callable[[], object]) -> tuple[object, int]:
    """Run `action` and return what it returned or raised, and how far the process's peak RSS rose above
    its RSS before (Linux: the peak is reset first, so earlier work does not hide or inflate it)."""
    Path("/proc/self/clear_refs").write_text("5")
    before = psutil.Process().memory_info().rss
    outcome: object
    try:
        outcome = action()
    except Exception as exc:  # the refusal is the outcome being measured
        outcome = exc
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return outcome, peak - before
