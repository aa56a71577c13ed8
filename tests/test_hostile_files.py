"""Hostile uploads: every file built here (tests/hostile.py) is refused early, with a message that names the
cap it passed, while the process's peak memory grows by less than 100 MB. Wall times are in bench/files.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import date

import pytest

from bot.i18n import translator
from bot.services import sheet_limits as limits
from bot.services import sheets, xlsx_guard
from bot.services.digests import finance_answers
from bot.services.errors import UserError
from bot.services.shifts import roster_import
from tests import hostile

MAX_GROWTH = 100 * 1024 * 1024
TODAY = date(2026, 12, 1)

EXPECTED: dict[str, tuple[str, dict[str, str]]] = {
    "row bomb, size declared": (limits.TOO_MANY_ROWS, {"row": "200,000", "limit": "10,000"}),
    "row bomb": (limits.TOO_MANY_ROWS, {"row": "10,001", "limit": "10,000"}),
    "column bomb, size declared": (limits.TOO_MANY_COLUMNS, {"column": "XFD", "limit": "100", "last": "CV"}),
    "column bomb": (limits.TOO_MANY_COLUMNS, {"column": "CW", "limit": "100", "last": "CV"}),
    "giant shared text (300 MB in 300 KB)": (
        xlsx_guard.PART_UNPACKS_TO,
        {"part": "xl/sharedStrings.xml", "size": "300.0 MB", "limit": "20.0 MB"},
    ),
    "long shared text (1 MB)": (xlsx_guard.TEXT_TOO_LONG, {"length": "1,000,000", "limit": "1,000"}),
    "deep zip ratio": (xlsx_guard.PACKED_TIGHT, {"part": "xl/worksheets/sheet1.xml", "limit": "100"}),
    "crowded sheet": (xlsx_guard.TOO_COMPLEX, {"part": "xl/worksheets/sheet1.xml", "limit": "20,000"}),
    "zip entries that lie about their size": (xlsx_guard.NOT_A_SPREADSHEET, {}),
    "billion laughs": (xlsx_guard.NOT_A_SPREADSHEET, {}),
    "129 KB CSV field": (limits.CELL_TOO_LONG, {"cell": "B2", "length": "132,096", "limit": "1,000"}),
    "CSV row bomb": (limits.TOO_MANY_ROWS, {"row": "10,001", "limit": "10,000"}),
    "CSV column bomb": (limits.TOO_MANY_COLUMNS, {"column": "XFD", "limit": "100", "last": "CV"}),
    "file over 5 MB": (limits.FILE_TOO_BIG, {"size": "6.0 MB", "limit": "5.0 MB"}),
}


def test_every_hostile_file_has_its_expected_refusal() -> None:
    assert EXPECTED.keys() == hostile.FILES.keys()


@pytest.mark.parametrize("case", EXPECTED)
def test_a_hostile_file_is_refused_by_name_in_little_memory(case: str) -> None:
    (build, filename), (message, params) = hostile.FILES[case], EXPECTED[case]
    data = build()
    outcome, growth = hostile.peak_growth(lambda: sheets.read_table(data, filename))
    assert isinstance(outcome, UserError), outcome
    assert outcome.message == message
    assert params.items() <= outcome.params.items()
    assert growth < MAX_GROWTH, f"peak RSS grew by {growth / 2**20:.0f} MB"
    for locale in ("en", "zh_CN"):  # the reply a person sees, in either language
        assert translator(locale)(outcome.message, **outcome.params)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (hostile.csv_rows(9_999), None),
        (hostile.csv_rows(10_000), limits.TOO_MANY_ROWS),
        (b"a," + b"x" * 1_000 + b"\n", None),
        (b"a," + b"x" * 1_001 + b"\n", limits.CELL_TOO_LONG),
        (b"," * 99 + b"x\n", None),
        (b"," * 100 + b"x\n", limits.TOO_MANY_COLUMNS),
    ],
)
def test_the_caps_are_exact(data: bytes, problem: str | None) -> None:
    if problem is None:
        assert sheets.read_rows(data, "edge.csv")
    else:
        with pytest.raises(UserError) as caught:
            sheets.read_rows(data, "edge.csv")
        assert caught.value.message == problem


@pytest.mark.parametrize(
    ("data", "message", "params"),
    [
        (
            hostile.fifty_year_roster(TODAY),
            roster_import.FAR_DATE,
            {"date": "2028-12-01", "first": "2025-11-30", "last": "2027-12-02"},
        ),
        (  # the file: 60,000 days, one column each
            ("person," + ",".join(f"{2030 + n // 365}-01-01" for n in range(20_000))).encode(),
            limits.TOO_MANY_COLUMNS,
            {"column": "CW"},
        ),
    ],
)
def test_a_roster_reaching_decades_ahead_is_refused(
    data: bytes, message: str, params: dict[str, str]
) -> None:
    async def plan() -> roster_import.Plan | list[roster_import.Problem]:
        rows = await roster_import.numbered_rows(data, "r.csv")
        return await roster_import.plan_import(rows, TODAY)

    outcome, growth = hostile.peak_growth(lambda: asyncio.run(plan()))
    if isinstance(outcome, list):  # the planner lists problems by row; the header is row 1
        assert [problem.row for problem in outcome] == [1]
        outcome = outcome[0].error
    assert isinstance(outcome, UserError), outcome
    assert outcome.message == message and params.items() <= outcome.params.items()
    assert growth < MAX_GROWTH


@pytest.mark.parametrize(
    "read",
    [
        lambda: sheets.read_rows_async(b"", "t.csv"),
        lambda: roster_import.numbered_rows(b"", "roster.csv"),
        lambda: finance_answers.read_file(b"", "refunds.csv"),
    ],
    ids=["sheets", "roster import", "finance answers"],
)
async def test_files_are_parsed_off_the_event_loop(
    read: Callable[[], Awaitable[object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    released = threading.Event()

    def slow_read(data: bytes, filename: str) -> list[list[str]]:
        """A parse that ends only when the event loop, still free, says so."""
        assert released.wait(10), "the event loop was blocked while the file was read"
        return [["id", "result"], ["R-1", "paid"]]

    monkeypatch.setattr(sheets, "read_rows", slow_read)
    reading = asyncio.ensure_future(read())
    await asyncio.sleep(0.01)
    released.set()
    with suppress(finance_answers.TableError):  # that table lacks finance's columns, but it was read
        await reading
