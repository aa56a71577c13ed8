"""Reports benchmark (not a test): /report for a month and a 100,000-row export among 1,000,000 records.

    python bench/reports.py [--records 1000000] [--export-rows 100000] [--runs 5] [--quick]

1. Seeding, in this process: a new SQLite database is migrated and filled with --records rows by
   bench/records.py's raw-SQL seeding (five kinds in turn over the last 365 days, the newest 2% still open),
   plus, for every record in its final status, the "status" history event that closed it (1-48 h after it was
   logged), and a year of shelf alarms (30 a day; 85% marked done 0-40 min after due, the rest never).
2. Measuring, in a fresh child process, so its peak memory is the report's and the export's alone:
   * the work behind `/report 2026-MM` for the last full month (what `/report month` computes on the last
     day of a month): reports.build, the agents' names and the text, --runs times, the first one cold;
   * the work behind `/export all`: exports.build of every record of the newest days holding --export-rows
     rows, as xlsx with full data (finance's view). The file is written to disk and the rows are counted
     back with openpyxl in this process.

Prints a table with the targets and PASS/MISS; exits 0 whatever the figures (1 only if the child failed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as `python bench/reports.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
from openpyxl import load_workbook
from tortoise import Tortoise

from bench.common import MB, REPO, machine
from bench.records import SEED_DAYS, insert_records
from bot.db import close_db, open_db
from bot.i18n import translator
from bot.models import Occurrence, Record, Schedule
from bot.services import sql_portable as sql
from bot.services.reports import exports, text
from bot.services.reports import figures as reports
from bot.services.when import Period, read_period

ZONE = ZoneInfo("Asia/Shanghai")
SCRIPT = Path(__file__).resolve()
TARGET_REPORT = 1.0
TARGET_EXPORT = 10.0
TARGET_MEMORY_MB = 200.0
ALARMS_PER_DAY, ALARM_SCHEDULES, ACKED_SHARE = 30, 10, 0.85
EVENTS_SQL = """
INSERT INTO record_event (record_id, at, actor_id, action, "before", "after")
SELECT id, strftime('%Y-%m-%d %H:%M:%f', created_at, '+' || (1 + id % 48) || ' hours') || '+00:00',
       author_id, 'status', '{{}}', json_object('status', status)
FROM record WHERE status IN ({finals})
"""
"""Each closed record's last status change, by raw SQL (as fast as the records themselves)."""


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- seeding


async def seed_alarms(now: dt.datetime, rng: random.Random) -> int:
    """A year of shelf alarms, most marked done a little after they fell due."""
    schedules = [
        await Schedule.create(kind="shelf", chat_id=-1, owner_id=1, rule={}, timezone=ZONE.key, text=f"a{n}")
        for n in range(ALARM_SCHEDULES)
    ]
    first = (now - dt.timedelta(days=SEED_DAYS)).replace(minute=0, second=0, microsecond=0)
    step = dt.timedelta(days=1) / ALARMS_PER_DAY
    rows = []
    for n in range(SEED_DAYS * ALARMS_PER_DAY):
        due = first + step * n
        acked = rng.random() < ACKED_SHARE
        rows.append(
            Occurrence(
                schedule=schedules[n % ALARM_SCHEDULES],
                due_at=due,
                kind="alarm",
                state="sent",
                chat_id=-1,
                sent_at=due,
                acked_by=1 if acked else None,
                acked_at=due + dt.timedelta(minutes=rng.uniform(0, 40)) if acked else None,
                outcome="done" if acked else None,
            )
        )
    await Occurrence.bulk_create(rows, batch_size=2000)
    return len(rows)


async def seed(path: Path, total: int, rng: random.Random) -> dict[str, float]:
    """Migrate and fill a new database; returns counts and seconds."""
    now = dt.datetime.now(dt.UTC)
    await open_db(f"sqlite://{path}")
    try:
        started = time.monotonic()
        await insert_records(total, rng, now)
        log(f"  {total} records in {time.monotonic() - started:.1f} s")
        finals = ", ".join(f"'{status}'" for statuses in reports.FINAL.values() for status in statuses)
        connection = Tortoise.get_connection("default")
        await connection.execute_script(EVENTS_SQL.format(finals=finals))
        events = await connection.execute_query_dict("SELECT COUNT(*) AS n FROM record_event")
        log(f"  {events[0]['n']} history events, {time.monotonic() - started:.1f} s")
        alarms = await seed_alarms(now, rng)
        seconds = time.monotonic() - started
        log(f"  {alarms} alarms; seeding took {seconds:.1f} s")
        return {
            "records": await Record.all().count(),
            "events": events[0]["n"],
            "alarms": alarms,
            "seconds": seconds,
        }
    finally:
        await close_db()


# ---------------------------------------------------------------------- measuring (child process)


@dataclass
class Figures:
    """What the child process measured."""

    report_seconds: list[float]
    report_text: str
    export_rows: int
    export_seconds: float
    export_mb: float
    rss_before_export_mb: float
    peak_rss_mb: float
    chunk_plan: str


def last_full_month(now: dt.datetime) -> str:
    """`2026-10` when it is some day in November in the shop."""
    first = now.astimezone(ZONE).date().replace(day=1)
    previous = first - dt.timedelta(days=1)
    return f"{previous.year}-{previous.month:02d}"


async def measure(path: Path, month: str, days: int, runs: int, out: Path) -> Figures:
    """Time the report and the export on the seeded database; peak memory comes from this process alone."""
    t = translator("en")
    now = dt.datetime.now(dt.UTC)
    await open_db(f"sqlite://{path}")
    try:
        period = read_period(month, now, ZONE)
        report_seconds, lines = [], ""
        for _ in range(runs):
            started = time.perf_counter()
            found = await reports.build(period)
            names = await reports.names([person for person, _ in found.by_agent])
            lines = text.render(t, found, names)
            report_seconds.append(time.perf_counter() - started)
        today = now.astimezone(ZONE).date()
        newest = Period(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1), ZONE)
        request = exports.Request(None, newest, "xlsx")
        rss_before = psutil.Process().memory_info().rss / MB
        started = time.perf_counter()
        rows = await exports.count(request)
        data = await exports.build(t, request, masked=False)
        export_seconds = time.perf_counter() - started
        await asyncio.to_thread(out.write_bytes, data)
        query, params = exports.chunk_query(request)
        plan = await sql.rows(f"EXPLAIN QUERY PLAN {query}", [*params, 0, 1, exports.CHUNK])
    finally:
        await close_db()
    return Figures(
        report_seconds=report_seconds,
        report_text=lines,
        export_rows=rows,
        export_seconds=export_seconds,
        export_mb=len(data) / MB,
        rss_before_export_mb=rss_before,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        chunk_plan="; ".join(str(row["detail"]) for row in plan),
    )


async def child(path: Path, month: str, days: int, runs: int, out: Path) -> Figures:
    """Run `measure` in a fresh interpreter and read its figures."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--measure",
        str(path),
        month,
        str(days),
        str(runs),
        str(out),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the measuring process exited with {process.returncode}")
    return Figures(**json.loads(stdout))


# ---------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def table(seeded: dict[str, float], figures: Figures, month: str, counted: int) -> str:
    """The figures with their targets."""
    runs = figures.report_seconds
    warm = statistics.median(runs[1:] or runs)
    report = f"/report {month}"
    rows = [
        (
            "records / history events / alarms",
            f"{seeded['records']:,.0f} / {seeded['events']:,.0f} / {seeded['alarms']:,.0f}",
            "",
            "",
        ),
        ("seeding (s)", f"{seeded['seconds']:.1f}", "", ""),
        (
            f"{report}: first run, cold (s)",
            f"{runs[0]:.3f}",
            f"< {TARGET_REPORT:g}",
            verdict(runs[0] < TARGET_REPORT),
        ),
        (
            f"{report}: median of the other runs (s)",
            f"{warm:.3f}",
            f"< {TARGET_REPORT:g}",
            verdict(warm < TARGET_REPORT),
        ),
        (
            "export: rows (counted back in the file)",
            f"{figures.export_rows:,} ({counted:,})",
            "all",
            verdict(counted == figures.export_rows),
        ),
        (
            "export: time (s)",
            f"{figures.export_seconds:.2f}",
            f"< {TARGET_EXPORT:g}",
            verdict(figures.export_seconds < TARGET_EXPORT),
        ),
        ("export: file size (MB)", f"{figures.export_mb:.1f}", "", ""),
        ("RSS before the export (MB)", f"{figures.rss_before_export_mb:.0f}", "", ""),
        (
            "peak RSS of the measuring process (MB)",
            f"{figures.peak_rss_mb:.0f}",
            f"< {TARGET_MEMORY_MB:g}",
            verdict(figures.peak_rss_mb < TARGET_MEMORY_MB),
        ),
    ]
    width = max(len(row[0]) for row in rows)
    lines = [f"{'figure':<{width}}  {'value':>24}  {'target':>8}", "-" * (width + 44)]
    lines += [f"{name:<{width}}  {value:>24}  {target:>8}  {ok}".rstrip() for name, value, target, ok in rows]
    lines += [
        "",
        f"export chunk query plan: {figures.chunk_plan}",
        "",
        "the report's text:",
        figures.report_text,
    ]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    """Seed, measure in a child, check the file, and format the report."""
    rng = random.Random(args.seed)
    header = [
        f"kefu-bot reports benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {machine()}",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="kefu-bench-reports-") as tmp:
        path, out = Path(tmp) / "reports.sqlite3", Path(tmp) / "export.xlsx"
        log(f"seeding {args.records} records")
        seeded = await seed(path, args.records, rng)
        month = last_full_month(dt.datetime.now(dt.UTC))
        days = math.ceil(args.export_rows / (args.records / SEED_DAYS))
        log(f"measuring /report {month} and an export of the newest {days} days in a child process")
        figures = await child(path, month, days, args.runs, out)
        book = load_workbook(out, read_only=True)
        counted = book.worksheets[0].max_row - 1
        book.close()
    return "\n".join([*header, table(seeded, figures, month, counted)])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; --quick seeds 100,000 records and exports 10,000 rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=1_000_000, help="records seeded (default 1000000)")
    parser.add_argument("--export-rows", type=int, default=100_000, help="rows to export (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="times the report is computed (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data")
    parser.add_argument("--quick", action="store_true", help="100,000 records, 10,000 rows: a smoke run")
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.export_rows = 100_000, 10_000
    if args.records < 1_000 or args.export_rows < 1 or args.runs < 1:
        parser.error("--records >= 1000, --export-rows and --runs must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run and print; 0 unless the measuring process failed."""
    args = parse_args(argv)
    if args.measure:
        path, month, days, runs, out = args.measure
        figures = asyncio.run(measure(Path(path), month, int(days), int(runs), Path(out)))
        print(json.dumps(asdict(figures)))
        return 0
    try:
        print(asyncio.run(run(args)))
    except RuntimeError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
