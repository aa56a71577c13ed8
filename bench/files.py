"""Hostile files benchmark (not a test): how long each malicious upload takes to be refused and what memory
that costs, next to the largest tables the caps allow, read whole.

    python bench/files.py [--runs 5]

Every file is built in memory by tests/hostile.py (the tests refuse the same files and check the messages).
Each read is timed --runs times; the median wall time is printed, and the largest rise of the process's peak
RSS over its RSS before the read (Linux: /proc/self/clear_refs resets the peak before each read, so earlier
work neither hides nor inflates it). The 50-year roster goes through roster_import's planning, as
/roster import does. Last, the largest xlsx is read with `sheets.read_table_async` while the event loop ticks
every 5 ms, and the longest wait of a tick is printed: what every other chat feels while a file is read
(the issue saw 31 s). Exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/files.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import MB, machine
from bot.i18n import translator
from bot.services import sheets
from bot.services.errors import UserError
from bot.services.sheet_limits import MAX_ROWS
from bot.services.sheets import Cell
from bot.services.shifts import roster_import
from tests import hostile

TODAY = dt.date(2026, 12, 1)
TICK = 0.005
COLUMNS = 12
"""The largest allowed tables are shaped like finance's refund table: a dozen columns, mostly text."""


def largest_rows() -> list[list[Cell]]:
    """MAX_ROWS - 1 refunds (and the header makes MAX_ROWS), every cell filled."""
    rows: list[list[Cell]] = []
    for n in range(MAX_ROWS - 1):
        rows.append([f"R-{n}", f"9{n:017d}", 12.5, f"tb_{n}", "张三", "lee@163.com", "damaged cup", "shop"])
        rows[-1] += ["yes", f"YT{n:010d}", "2026-12-01", "paid"]
    return rows


def largest_xlsx() -> bytes:
    """The largest refund table the caps allow, as the bot writes it."""
    return sheets.xlsx([f"column {n}" for n in range(COLUMNS)], largest_rows())


def largest_csv() -> bytes:
    """The same table as CSV."""
    return sheets.csv_bytes([f"column {n}" for n in range(COLUMNS)], largest_rows())


def plan_roster(data: bytes) -> object:
    """/roster import's reading and planning of a file, without a database (the header is refused first)."""

    async def plan() -> object:
        rows = await roster_import.numbered_rows(data, "roster.csv")
        return await roster_import.plan_import(rows, TODAY)

    return asyncio.run(plan())


def measure(read: Callable[[], object], runs: int) -> tuple[object, float, int]:
    """What the read gave or raised, its median wall time and its largest peak RSS growth."""
    seconds, growths, outcome = [], [], None
    for _ in range(runs):
        started = time.perf_counter()
        outcome, growth = hostile.peak_growth(read)
        seconds.append(time.perf_counter() - started)
        growths.append(growth)
    return outcome, statistics.median(seconds), max(growths)


def outcome_text(outcome: object) -> str:
    """The reply a person would see, in English; or what was read."""
    if isinstance(outcome, list) and outcome and isinstance(outcome[0], roster_import.Problem):
        outcome = outcome[0].error
    if isinstance(outcome, UserError):
        return translator("en")(outcome.message, **outcome.params)
    if isinstance(outcome, list):
        return f"read: {len(outcome):,} rows"
    return repr(outcome)


async def longest_stall(data: bytes) -> tuple[float, float]:
    """Read a file in a worker thread while the loop ticks; the read's seconds and the longest tick wait."""
    worst, done = 0.0, asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - before - TICK)

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    await sheets.read_table_async(data, "largest.xlsx")
    took = time.perf_counter() - started
    done.set()
    await ticking
    return took, worst


def main(argv: list[str] | None = None) -> int:
    """Build, read, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="reads of each file (default 5)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be positive")
    cases: dict[str, Callable[[], object]] = {}
    sizes: dict[str, int] = {}
    files = {
        **hostile.FILES,
        "largest xlsx allowed": (largest_xlsx, "largest.xlsx"),
        "largest CSV allowed": (largest_csv, "largest.csv"),
    }
    for name, (build, filename) in files.items():
        data = build()
        cases[name], sizes[name] = partial(sheets.read_table, data, filename), len(data)
    roster = hostile.fifty_year_roster(TODAY)
    cases["50-year roster (planning)"], sizes["50-year roster (planning)"] = (
        partial(plan_roster, roster),
        len(roster),
    )
    lines = [
        f"kefu-bot hostile files benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {machine()}",
        f"median of {args.runs} reads; peak RSS growth over the RSS before the read, the largest of the runs",
        "",
        "| file | size | result | time | peak RSS growth |",
        "|---|---|---|---|---|",
    ]
    for name, read in cases.items():
        outcome, seconds, growth = measure(read, args.runs)
        size = f"{sizes[name] / MB:.1f} MB" if sizes[name] >= MB else f"{sizes[name] / 1024:.0f} KB"
        growth_mb = max(growth, 0) / MB
        lines.append(
            f"| {name} | {size} | {outcome_text(outcome)} | {seconds * 1000:.1f} ms | {growth_mb:.1f} MB |"
        )
    took, worst = asyncio.run(longest_stall(largest_xlsx()))
    lines += [
        "",
        f"largest xlsx read in a worker thread: {took:.2f} s; the event loop's longest wait meanwhile "
        f"{worst * 1000:.1f} ms (ticks every {TICK * 1000:.0f} ms)",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
