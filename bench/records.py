"""Records benchmark (not a test): logging refunds and courier queries, and /find among 1,000,000 records.

    python bench/records.py [--seconds 60] [--users 50] [--records 1000000] [--quick]

Every bot runs as a subprocess, like production, polling its own in-process FakeBotApi on 127.0.0.1.
Simulated users each talk to the bot in their own private chat, and all of them are BOT_OWNER_IDS
(managers), so every command may log a record. Commands alternate between
`/refund <new 18-digit order> 12.5 damaged buyer=tb_<n> postage=shop` and
`/courier SF<new 10 digits> overdue`: each is valid and unique, so each one stores a record. Buyers
cycle over 5,000 names, and every 10th refund is by one of 100 serial claimants, who get the
repeat-claimant warning from their third claim on, as in real life. Phases, in order:

1. kefu-bot with production settings (BOT_RATE_LIMIT=true, fresh SQLite database): open loop of record
   commands at --rate per second for --latency-seconds: p50/p90/p99/max latency. Then it is stopped.
2. The echo bot (bench/echo_bot.py): the same latency measurement with the same kind of messages.
3. kefu-bot again with BOT_RATE_LIMIT=false on the same database, next to the idle echo bot (both with
   other users than phase 1: every fake server numbers messages from 1 again, and cards are
   remembered by chat and message id). Closed
   loop (every user sends a record command, waits for the reply, sends again): replies/s. The bots
   take turns, --rounds windows each adding up to --seconds per bot, so drift affects both alike.
   The client-side limiter caps any bot at 30 messages/s, so it is off here (see throughput.py).
   Afterwards the rows in the database are counted and compared with the "Saved" replies.
4. A new SQLite database is migrated and seeded with --records rows by raw SQL (five kinds in turn,
   unique order and tracking numbers, ~200,000 buyers). In this process the service calls behind
   /find and /buyer are timed, for reference. Then kefu-bot (BOT_RATE_LIMIT=true, production) starts
   on it, and one request at a time, paced at --find-rate per second (under the limiter's 30/s), it
   gets `/find <order>`, `/find <buyer>`, `/buyer <buyer>` and new record commands in random order:
   end-to-end latency of each.

Prints tables with the targets and PASS/MISS; exits 0 whatever the figures (1 only if a bot failed).

    python bench/records.py --durability [--records 2000] [--seconds 30] [--rounds 3]

measures instead what durable commits cost: logging with SQLite's synchronous=NORMAL and =FULL (both in WAL
mode), in turns, in a fresh database each: the service calls behind /refund (duplicate check, the insert
transaction, repeat claims, the card) one record at a time in this process, and kefu-bot end to end in the
closed loop of phase 3 (BOT_RATE_LIMIT=false). With NORMAL a commit returns before the WAL reaches the disk,
so a power cut can lose a record after "✅ Saved." was shown; with FULL every commit waits for an fsync.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/records.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import Tortoise
from tortoise.expressions import Q

from bench.common import (
    MB,
    REPLY_TIMEOUT,
    CpuMeter,
    CpuUse,
    LatencyStats,
    LoadResult,
    Session,
    Startup,
    bot_session,
    closed_loop,
    echo_bot,
    kefu_bot,
    machine,
    ms,
    open_loop,
    warm_up,
)
from bot.db import close_db, open_db
from bot.enums import INITIAL_STATUS, RecordKind
from bot.models import Record
from bot.services.records import book as record_service
from bot.services.records import fields as rf
from bot.services.team.rules import Rules

FIRST_USER_ID = 7_100_001
LOAD_USERS_OFFSET = 10_000
"""The throughput phase uses other users than the latency phase (see `logging_phases`)."""
LOGGED_BUYERS = 5_000
"""Refunds name buyers tb_0 … tb_4999 in turn, so buyers come back now and then."""
SERIAL_EVERY, SERIAL_BUYERS = 10, 100
"""Every 10th refund is by one of 100 serial claimants (tb_0 … tb_99): after their third claim within
30 days the bot adds the repeat-claimant warning (about 7% of refunds in a full run)."""
ORDER_BASE = 900_000_000_000_000_000
"""Orders typed by the simulated users: 18 digits, never used by the seeded rows."""
TRACKING_BASE = 8_000_000_000
"""Tracking numbers typed: SF + 10 digits from here, never used by the seeded rows."""

SEED_ORDER_BASE = 100_000_000_000_000_000
SEED_BUYERS = 200_000
SEED_CHUNK = 50_000
SEED_DAYS = 365
SEED_OPEN_SHARE = 0.02
"""The newest 2% of seeded records are still open; older ones reached their final status."""
SEED_GROUP = -1_001_234_567_890
SEED_KINDS = (
    RecordKind.REFUND,
    RecordKind.COURIER,
    RecordKind.COMPLAINT,
    RecordKind.PROBLEM,
    RecordKind.REVIEW,
)
SEED_FINAL = {
    RecordKind.REFUND: "paid",
    RecordKind.COURIER: "resolved",
    RecordKind.COMPLAINT: "closed",
    RecordKind.PROBLEM: "fixed",
    RecordKind.REVIEW: "revised",
}
SEED_SUBKIND = {
    RecordKind.REFUND: None,
    RecordKind.COURIER: "overdue",
    RecordKind.COMPLAINT: "damaged",
    RecordKind.PROBLEM: "out-of-stock",
    RecordKind.REVIEW: "negative",
}
SEED_DATA = {
    RecordKind.REFUND: {"reason": "damaged", "postage": "shop"},
    RecordKind.COURIER: {"carrier": "SF"},
    RecordKind.COMPLAINT: {"text": "box crushed"},
    RecordKind.PROBLEM: {"text": "size M sold out"},
    RecordKind.REVIEW: {"text": "2 stars"},
}
SEED_COLUMNS = (
    "kind",
    "number",
    "status",
    "subkind",
    "order_no",
    "tracking_no",
    "buyer",
    "phone",
    "address",
    "amount",
    "data",
    "deadline_at",
    "author_id",
    "chat_id",
    "created_at",
    "updated_at",
)
SEED_SQL = f"INSERT INTO record ({', '.join(SEED_COLUMNS)}) VALUES ({', '.join('?' for _ in SEED_COLUMNS)})"

FIND_ORDER, FIND_BUYER, BUYER, LOG = "/find <order>", "/find <buyer>", "/buyer <buyer>", "/refund|/courier"
QUERIES = (FIND_ORDER, FIND_BUYER, BUYER)
SERVICE_CALLS = {
    FIND_ORDER: "records.find(order)",
    FIND_BUYER: "records.find(buyer)",
    BUYER: "records.buyer_history(buyer)",
}

DISTURBED = 0.25
"""Cores used by other processes above which a phase's figures are flagged as disturbed."""
TARGET_RATIO = 0.6
TARGET_P99 = 0.050
TARGET_FIND = 0.020


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- what users type


class Commands:
    """Valid record commands, each with a new order or tracking number: /refund and /courier in turn."""

    def __init__(self) -> None:
        """Start numbering at 0; one instance per run keeps every number unique."""
        self.count = 0

    def __call__(self, user_id: int) -> str:
        """The next command (the same for any user)."""
        n = self.count
        self.count += 1
        if n % 2 == 0:
            refund = n // 2
            serial = refund % SERIAL_EVERY == 0
            buyer = (refund // SERIAL_EVERY) % SERIAL_BUYERS if serial else refund % LOGGED_BUYERS
            return f"/refund {ORDER_BASE + n} 12.5 damaged buyer=tb_{buyer} postage=shop"
        return f"/courier SF{TRACKING_BASE + n} overdue"


@dataclass
class Tally:
    """What kefu-bot answered to record commands, read from the fake server's log of sendMessage."""

    saved: int = 0
    """Replies with "✅ Saved.": a record was stored."""
    repeat: int = 0
    """Of those, ones with the repeat-claimant warning."""
    duplicate: int = 0
    """"Still open … Nothing was saved" warnings (should be 0: every number is new)."""
    other: int = 0
    """Anything else (an error, a usage hint): should be 0."""
    other_sample: str = ""

    def add(self, session: Session) -> None:
        """Count every reply the bot sent in this session."""
        for call in session.api.calls_to("sendMessage"):
            text = str(call.params.get("text", ""))
            if "✅ Saved." in text:
                self.saved += 1
                self.repeat += "Repeat claimant" in text
            elif "Nothing was saved" in text:
                self.duplicate += 1
            else:
                self.other += 1
                self.other_sample = self.other_sample or text


@dataclass
class BotFigures:
    """Logging records: everything measured for one bot."""

    latency: LoadResult | None = None
    throughput: LoadResult | None = None
    rounds: list[LoadResult] = field(default_factory=list)
    startup: Startup | None = None
    sample: str = ""
    failed: int = 0
    unexpected: int = 0

    def note_errors(self, session: Session) -> None:
        """Carry over the tracker's error counts."""
        self.failed += session.tracker.failed
        self.unexpected += session.tracker.unexpected


@dataclass
class Seeded:
    """The database with many records, and what was timed in this process."""

    path: Path
    count: int = 0
    seconds: float = float("nan")
    size_mb: float = float("nan")
    orders: list[str] = field(default_factory=list)
    buyers: list[tuple[str, int]] = field(default_factory=list)
    """Buyers to look up, with how many seeded records each has."""
    service: dict[str, list[float]] = field(default_factory=dict)
    """Seconds per call of the services behind /find and /buyer, in this process."""
    plans: dict[str, str] = field(default_factory=dict)
    """SQLite's query plan of each listing query."""


@dataclass
class FindFigures:
    """End-to-end latency of lookups (and logging) with the seeded database."""

    startup: Startup | None = None
    latencies: dict[str, list[float]] = field(default_factory=dict)
    wrong: Counter[str] = field(default_factory=Counter)
    """Replies that were not what the request should get (e.g. "Nothing found.")."""
    lost: int = 0
    samples: dict[str, str] = field(default_factory=dict)
    cpu: CpuUse | None = None
    rate: float = 0.0


# ---------------------------------------------------------------------- logging records


def count_rows(path: Path) -> dict[str, int]:
    """Rows in the record tables of a SQLite file (sync: run it in a thread)."""
    with closing(sqlite3.connect(path)) as connection:
        return {
            table: int(connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])
            for table in ("record", "record_event", "audit_entry", "record_card")
        }


async def logging_phases(
    users: list[int], workdir: Path, commands: Commands, args: argparse.Namespace
) -> tuple[BotFigures, BotFigures, Tally, dict[str, int]]:
    """Phases 1-3: latency of each bot, then throughput in turns; rows stored vs replies."""
    kefu, echo, tally = BotFigures(), BotFigures(), Tally()
    db_path = workdir / "logging.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite://{db_path}",
        "BOT_OWNER_IDS": ",".join(str(user) for user in users),
        "BOT_LOCALE": "en",
        "BOT_TIMEZONE": "Asia/Shanghai",
    }

    log("kefu-bot, BOT_RATE_LIMIT=true, fresh database: latency")
    spec = kefu_bot({**env, "BOT_RATE_LIMIT": "true"})
    async with bot_session(spec, users, workdir, probe=commands(users[0])) as session:
        kefu.startup, kefu.sample = session.startup, session.probe.text
        kefu.latency = await latency_phase(session, users, commands, args)
        kefu.note_errors(session)
        tally.add(session)

    # Other users from here on: every session has its own fake server, whose message ids start again
    # at 1 in each chat, and a card is remembered by (chat, message id).
    users = [user + LOAD_USERS_OFFSET for user in users]
    env["BOT_OWNER_IDS"] = ",".join(str(user) for user in users)
    log("echo bot: latency")
    async with bot_session(echo_bot(), users, workdir, probe=commands(users[0])) as echo_session:
        echo.startup, echo.sample = echo_session.startup, echo_session.probe.text
        echo.latency = await latency_phase(echo_session, users, commands, args)

        log("kefu-bot, BOT_RATE_LIMIT=false; throughput, taking turns with echo")
        spec = kefu_bot({**env, "BOT_RATE_LIMIT": "false"}, name="kefu-bot-unlimited")
        async with bot_session(spec, users, workdir, probe=commands(users[0])) as kefu_session:
            await warm_up(kefu_session, users, commands)
            await warm_up(echo_session, users, commands)
            sessions = {"kefu": kefu_session, "echo": echo_session}
            window = args.seconds / args.rounds
            for number in range(1, args.rounds + 1):
                for name, current in sessions.items():
                    result = await closed_loop(current, users, commands, seconds=window, warmup=args.warmup)
                    (kefu if name == "kefu" else echo).rounds.append(result)
                    log(
                        f"  round {number}/{args.rounds} {name}: {result.throughput:.1f} replies/s, "
                        f"CPU {cpu_text(result.cpu)}"
                    )
            kefu.throughput = LoadResult.combine(kefu.rounds)
            echo.throughput = LoadResult.combine(echo.rounds)
            kefu.note_errors(kefu_session)
            tally.add(kefu_session)
        echo.note_errors(echo_session)
    rows = await asyncio.to_thread(count_rows, db_path)
    log(f"  stored rows {rows}; replies: {tally}")
    return kefu, echo, tally, rows


async def latency_phase(
    session: Session, users: list[int], commands: Commands, args: argparse.Namespace
) -> LoadResult:
    """Every user once (first-seen work), then the open loop at --rate."""
    await warm_up(session, users, commands)
    log(f"  latency: {args.rate:g} commands/s for {args.latency_seconds:g} s")
    result = await open_loop(session, users, commands, rate=args.rate, seconds=args.latency_seconds)
    log(f"  -> p99 {ms(LatencyStats.of(result.latencies).p99)} ms, {result.lost} lost")
    return result


# ---------------------------------------------------------------------- many records


def seed_rows(start: int, stop: int, total: int, buyers: array[int], now: dt.datetime) -> list[list[object]]:
    """Rows start..stop-1 of `total`: kinds in turn, numbered per kind, oldest first over SEED_DAYS."""
    first = now - dt.timedelta(days=SEED_DAYS)
    step = dt.timedelta(days=SEED_DAYS) / total
    open_from = int(total * (1 - SEED_OPEN_SHARE))
    data = {kind: json.dumps(value, separators=(",", ":")) for kind, value in SEED_DATA.items()}
    rows: list[list[object]] = []
    for i in range(start, stop):
        kind = SEED_KINDS[i % len(SEED_KINDS)]
        courier = kind == RecordKind.COURIER
        at = (first + step * i).isoformat(sep=" ", timespec="microseconds")
        rows.append(
            [
                kind.value,
                i // len(SEED_KINDS) + 1,
                INITIAL_STATUS[kind] if i >= open_from else SEED_FINAL[kind],
                SEED_SUBKIND[kind],
                None if courier else str(SEED_ORDER_BASE + i),
                f"SF{i:010d}" if courier else None,
                None if courier else f"tb_{buyers[i]}",
                None,
                None,
                "12.50" if kind == RecordKind.REFUND else None,
                data[kind],
                None,
                FIRST_USER_ID + i % 50,
                SEED_GROUP,
                at,
                at,
            ]
        )
    return rows


async def insert_records(total: int, rng: random.Random, now: dt.datetime) -> array[int]:
    """Insert `total` records by raw SQL into the open database (see `seed_rows`); returns their buyers."""
    buyers = array(
        "i", (-1 if i % len(SEED_KINDS) == 1 else rng.randrange(SEED_BUYERS) for i in range(total))
    )
    connection = Tortoise.get_connection("default")
    for start in range(0, total, SEED_CHUNK):
        stop = min(total, start + SEED_CHUNK)
        await connection.execute_many(SEED_SQL, seed_rows(start, stop, total, buyers, now))
    return buyers


async def seed(path: Path, args: argparse.Namespace, rng: random.Random) -> Seeded:
    """Migrate a new database, insert --records rows by raw SQL, time the services and read the plans."""
    seeded = Seeded(path)
    total = args.records
    await open_db(f"sqlite://{path}")
    try:
        started = time.monotonic()
        buyers = await insert_records(total, rng, dt.datetime.now(dt.UTC))
        seeded.seconds = time.monotonic() - started
        seeded.count = await Record.all().count()
        log(f"  seeded {seeded.count} records in {seeded.seconds:.1f} s")

        per_buyer = Counter(buyers)
        with_buyer = [i for i in range(total) if i % len(SEED_KINDS) != 1]
        rows = rng.sample(with_buyer, min(len(with_buyer), 5 * args.finds))
        seeded.orders = [str(SEED_ORDER_BASE + i) for i in rows[: 2 * args.finds]]
        # buyers the record commands do not name (tb_0 … tb_4999), so their counts stay as seeded
        seeded.buyers = [
            (f"tb_{buyers[i]}", per_buyer[buyers[i]]) for i in rows if buyers[i] >= LOGGED_BUYERS
        ]
        await time_services(seeded, args.finds)
        for label, text in ((FIND_ORDER, seeded.orders[0]), (FIND_BUYER, seeded.buyers[0][0])):
            seeded.plans[label] = await query_plan(await record_service.search_query(text, personal=True))
    finally:
        await close_db()
    seeded.size_mb = (await asyncio.to_thread(path.stat)).st_size / MB
    return seeded


async def time_services(seeded: Seeded, count: int) -> None:
    """Time the calls behind /find and /buyer in this process (values not used end to end), as for the
    benchmark's users: managers in private, who may search by customer data too."""
    orders, buyers = seeded.orders[count:], seeded.buyers[2 * count :]
    calls: dict[str, list[tuple[Callable[..., Awaitable[record_service.Page]], str]]] = {
        FIND_ORDER: [(record_service.find, order) for order in orders[:count]],
        FIND_BUYER: [(record_service.find, buyer) for buyer, _ in buyers[:count]],
        BUYER: [(record_service.buyer_history, buyer) for buyer, _ in buyers[count : 2 * count]],
    }
    for label, todo in calls.items():
        samples = []
        for function, value in todo:
            started = time.perf_counter()
            await function(value, personal=True)
            samples.append(time.perf_counter() - started)
        seeded.service[label] = samples


async def query_plan(query: Q) -> str:
    """SQLite's plan for a listing page, the same query as `records._page` (newest 10 first)."""
    sql = Record.filter(query).order_by("-id").offset(0).limit(10).sql(params_inline=True)
    _, rows = await Tortoise.get_connection("default").execute_query(f"EXPLAIN QUERY PLAN {sql}")
    return "; ".join(str(row["detail"]) for row in rows)


async def find_phase(
    users: list[int], workdir: Path, commands: Commands, args: argparse.Namespace, rng: random.Random
) -> tuple[Seeded, FindFigures]:
    """Phase 4: seed, then one request at a time against kefu-bot on the big database."""
    log(f"seeding {args.records} records")
    seeded = await seed(workdir / "records.sqlite3", args, rng)
    figures = FindFigures(rate=args.find_rate)
    plan: list[tuple[str, str, str]] = []
    plan += [(FIND_ORDER, f"/find {order}", "Found 1 for") for order in seeded.orders[: args.finds]]
    plan += [(FIND_BUYER, f"/find {b}", f"Found {n} for") for b, n in seeded.buyers[: args.finds]]
    plan += [
        (BUYER, f"/buyer {b}", f"History of buyer {b} ({n})")
        for b, n in seeded.buyers[args.finds : 2 * args.finds]
    ]
    plan += [(LOG, commands(users[0]), "✅ Saved.") for _ in range(args.finds)]
    rng.shuffle(plan)

    env = {
        "DATABASE_URL": f"sqlite://{seeded.path}",
        "BOT_OWNER_IDS": ",".join(str(user) for user in users),
        "BOT_LOCALE": "en",
        "BOT_TIMEZONE": "Asia/Shanghai",
        "BOT_RATE_LIMIT": "true",
    }
    log(
        f"kefu-bot, BOT_RATE_LIMIT=true, {seeded.count} records: {len(plan)} requests at {args.find_rate:g}/s"
    )
    spec = kefu_bot(env, name="kefu-bot-records")
    async with bot_session(spec, users, workdir, probe=f"/find {seeded.orders[0]}") as session:
        figures.startup = session.startup
        await warm_up(session, users, f"/find {seeded.orders[0]}")
        meter = CpuMeter(session.bot)
        meter.start()
        start = time.monotonic()
        for i, (label, text, expected) in enumerate(plan):
            await asyncio.sleep(max(0.0, start + i / args.find_rate - time.monotonic()))
            future = session.tracker.send(users[i % len(users)], text)
            try:
                reply = await session.bot.until_exit(
                    asyncio.wait_for(future, REPLY_TIMEOUT), REPLY_TIMEOUT + 5, f"the reply to {text}"
                )
            except TimeoutError:
                figures.lost += 1
                continue
            figures.latencies.setdefault(label, []).append(reply.latency)
            figures.samples.setdefault(label, reply.text)
            if expected not in reply.text:
                figures.wrong[label] += 1
                figures.samples[f"wrong {label}"] = f"{text} -> {reply.text}"
        figures.cpu = meter.stop()
    for label in (*QUERIES, LOG):
        log(f"  {label}: p50 {ms(LatencyStats.of(figures.latencies.get(label, [])).p50)} ms")
    return seeded, figures


# ---------------------------------------------------------------------- durable commits (--durability)

SYNCHRONOUS = ("NORMAL", "FULL")
FSYNC_SAMPLES = 200


@dataclass
class Durability:
    """Logging records with each synchronous setting: seconds per record in-process, closed-loop rounds."""

    service: dict[str, list[float]] = field(default_factory=dict)
    rounds: dict[str, list[LoadResult]] = field(default_factory=dict)
    latency: dict[str, list[LoadResult]] = field(default_factory=dict)
    """Open-loop windows at --rate: what a person feels at a busy moment."""
    tally: dict[str, Tally] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    fsync: list[float] = field(default_factory=list)
    """Seconds of one 4 KiB append + fsync in the same folder: what FULL adds to each commit, at least."""


async def log_in_process(url: str, numbers: range) -> list[float]:
    """Log one refund per number through the services /refund calls, one at a time: seconds each."""
    rules, samples = Rules(), []
    await open_db(url)
    try:
        for n in numbers:
            words = rf.split_words(f"{ORDER_BASE + n} 12.5 damaged buyer=tb_{n % LOGGED_BUYERS} postage=shop")
            draft = record_service.parse(RecordKind.REFUND, words, rules)
            started = time.perf_counter()
            created = await record_service.create(
                draft,
                author_id=FIRST_USER_ID,
                chat_id=FIRST_USER_ID,
                rules=rules,
                now=dt.datetime.now(dt.UTC),
            )
            assert created.record is not None
            await record_service.remember_card(created.record, FIRST_USER_ID, n + 1)
            samples.append(time.perf_counter() - started)
    finally:
        await close_db()
    return samples


def time_fsync(folder: Path) -> list[float]:
    """Append 4 KiB and fsync, FSYNC_SAMPLES times (sync: run it in a thread)."""
    samples = []
    with (folder / "fsync.bin").open("ab") as out:
        for _ in range(FSYNC_SAMPLES):
            out.write(b"x" * 4096)
            out.flush()
            started = time.perf_counter()
            os.fsync(out.fileno())
            samples.append(time.perf_counter() - started)
    return samples


async def durability(users: list[int], workdir: Path, args: argparse.Namespace) -> Durability:
    """NORMAL and FULL in turns: in-process logging, then both bots' closed loops (each on its own file)."""
    figures = Durability(fsync=await asyncio.to_thread(time_fsync, workdir))
    per_round = args.records // args.rounds
    for number in range(args.rounds):
        for mode in SYNCHRONOUS:
            url = f"sqlite://{workdir}/service-{mode}.sqlite3?synchronous={mode}"
            start = (number * len(SYNCHRONOUS) + SYNCHRONOUS.index(mode)) * per_round
            samples = await log_in_process(url, range(start, start + per_round))
            figures.service.setdefault(mode, []).extend(samples)
            log(f"  round {number + 1} {mode}: p50 {ms(LatencyStats.of(samples).p50)} ms per record")
    await bots_in_turns(figures, users, workdir, args)
    for mode in SYNCHRONOUS:
        figures.stored[mode] = (await asyncio.to_thread(count_rows, workdir / f"bot-{mode}.sqlite3"))[
            "record"
        ]
    return figures


async def bots_in_turns(
    figures: Durability, users: list[int], workdir: Path, args: argparse.Namespace
) -> None:
    """A kefu-bot per setting, each on its own file; in turns, a window at --rate, then the closed loop."""
    commands = Commands()
    env = {"BOT_OWNER_IDS": ",".join(map(str, users)), "BOT_LOCALE": "en", "BOT_RATE_LIMIT": "false"}
    async with AsyncExitStack() as stack:
        sessions = {}
        for mode in SYNCHRONOUS:
            url = f"sqlite://{workdir}/bot-{mode}.sqlite3?synchronous={mode}"
            spec = kefu_bot({**env, "DATABASE_URL": url}, name=f"kefu-bot-{mode.lower()}")
            sessions[mode] = await stack.enter_async_context(
                bot_session(spec, users, workdir, probe=commands(users[0]))
            )
            await warm_up(sessions[mode], users, commands)
        for number in range(args.rounds):
            for mode, session in sessions.items():
                window = args.latency_seconds / args.rounds
                paced = await open_loop(session, users, commands, rate=args.rate, seconds=window)
                figures.latency.setdefault(mode, []).append(paced)
                result = await closed_loop(
                    session, users, commands, seconds=args.seconds / args.rounds, warmup=args.warmup
                )
                figures.rounds.setdefault(mode, []).append(result)
                p99, rate = ms(LatencyStats.of(paced.latencies).p99), result.throughput
                log(f"  round {number + 1} {mode}: p99 {p99} ms at {args.rate:g}/s, {rate:.1f} replies/s")
        for mode, session in sessions.items():
            figures.tally[mode] = Tally()
            figures.tally[mode].add(session)


def durability_report(figures: Durability, args: argparse.Namespace) -> str:
    """NORMAL against FULL, as printed and as pasted into docs/benchmarks.md."""
    service = {mode: LatencyStats.of(samples) for mode, samples in figures.service.items()}
    loops = {mode: LoadResult.combine(rounds) for mode, rounds in figures.rounds.items()}
    e2e = {mode: LatencyStats.of(result.latencies) for mode, result in loops.items()}
    paced = {
        mode: LatencyStats.of([x for window in windows for x in window.latencies])
        for mode, windows in figures.latency.items()
    }
    fsync = LatencyStats.of(figures.fsync)
    rows = [
        (f"{label} (ms)", *(ms(getattr(stats[mode], part)) for mode in SYNCHRONOUS))
        for label, stats, part in (
            ("service, one record at a time: p50", service, "p50"),
            ("service, one record at a time: p99", service, "p99"),
            (f"end to end at {args.rate:g} commands/s: p50", paced, "p50"),
            (f"end to end at {args.rate:g} commands/s: p99", paced, "p99"),
            (f"end to end, {args.users} users in a closed loop: p50", e2e, "p50"),
            ("end to end, closed loop: p99", e2e, "p99"),
        )
    ]
    rows.insert(2, ("records/s, one at a time", *(f"{1 / service[mode].p50:.0f}" for mode in SYNCHRONOUS)))
    rows.append(("replies/s, closed loop", *(f"{loops[mode].throughput:.1f}" for mode in SYNCHRONOUS)))
    rows.append(
        (
            "  lowest-highest round",
            *(spread([r.throughput for r in figures.rounds[m]], 1) for m in SYNCHRONOUS),
        )
    )
    rows.append(("CPU bot/driver/others", *(cpu_text(loops[mode].cpu) for mode in SYNCHRONOUS)))
    rows.append(
        (
            "records stored / 'Saved' replies / other replies",
            *(
                f"{figures.stored[m]} / {figures.tally[m].saved} / {figures.tally[m].other}"
                for m in SYNCHRONOUS
            ),
        )
    )
    lines = [
        f"kefu-bot durable commits, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {machine()}",
        f"SQLite in WAL mode; {sum(map(len, figures.service.values())):,} records in-process and "
        f"{args.seconds:g} s of closed loop per setting, in {args.rounds} rounds taken in turns",
        "",
        *table(("figure", "NORMAL", "FULL"), rows),
        "",
        f"4 KiB append + fsync in the same folder: p50 {ms(fsync.p50)} ms, p99 {ms(fsync.p99)} ms "
        f"({FSYNC_SAMPLES} samples)",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------- report


async def run(
    args: argparse.Namespace,
) -> tuple[BotFigures, BotFigures, Tally, dict[str, int], Seeded, FindFigures]:
    """All phases; every bot process is stopped at the end (or on any error)."""
    users = [FIRST_USER_ID + i for i in range(args.users)]
    commands = Commands()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kefu-bench-records-") as tmp:
        workdir = Path(tmp)
        kefu, echo, tally, rows = await logging_phases(users, workdir, commands, args)
        seeded, found = await find_phase(users, workdir, commands, args, rng)
    return kefu, echo, tally, rows, seeded, found


def cpu_text(cpu: CpuUse) -> str:
    """Cores used by the bot, the driver and the rest of the machine."""
    return f"{cpu.bot:.2f}/{cpu.driver:.2f}/{cpu.others:.2f}"


def spread(values: Sequence[float], digits: int = 0) -> str:
    """Lowest and highest of some values."""
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}" if values else ""


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to width: the first left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
            ).rstrip()
        )
    return lines


def logging_rows(
    kefu: BotFigures, echo: BotFigures, tally: Tally, rows: dict[str, int], args: argparse.Namespace
) -> list[tuple[str, ...]]:
    """The table of phases 1-3."""
    assert kefu.throughput and echo.throughput and kefu.latency and echo.latency
    ratio = kefu.throughput.throughput / echo.throughput.throughput
    ratios = [k.throughput / e.throughput for k, e in zip(kefu.rounds, echo.rounds, strict=True)]
    k_lat, e_lat = LatencyStats.of(kefu.latency.latencies), LatencyStats.of(echo.latency.latencies)
    stored_ok = (
        rows["record"] == tally.saved == rows["record_event"] == rows["record_card"]
        and tally.duplicate == tally.other == 0
    )
    return [
        (
            f"throughput, {args.users} users closed loop (replies/s)",
            f"{kefu.throughput.throughput:.1f}",
            f"{echo.throughput.throughput:.1f}",
            "",
            "",
        ),
        (
            f"  lowest-highest of {args.rounds} rounds",
            spread([r.throughput for r in kefu.rounds]),
            spread([r.throughput for r in echo.rounds]),
            "",
            "",
        ),
        (
            "throughput ratio kefu/echo",
            f"{ratio:.2f}",
            "",
            f">= {TARGET_RATIO}",
            verdict(ratio >= TARGET_RATIO),
        ),
        (f"  lowest-highest of {args.rounds} rounds", spread(ratios, 2), "", "", ""),
        (f"latency p50 at {args.rate:g} cmd/s (ms)", ms(k_lat.p50), ms(e_lat.p50), "", ""),
        (f"latency p90 at {args.rate:g} cmd/s (ms)", ms(k_lat.p90), ms(e_lat.p90), "", ""),
        (
            f"latency p99 at {args.rate:g} cmd/s (ms)",
            ms(k_lat.p99),
            ms(e_lat.p99),
            f"< {TARGET_P99 * 1000:.0f}",
            verdict(k_lat.p99 < TARGET_P99),
        ),
        (f"latency max at {args.rate:g} cmd/s (ms)", ms(k_lat.max), ms(e_lat.max), "", ""),
        (
            "records in DB / 'Saved' replies",
            f"{rows['record']} / {tally.saved}",
            "",
            "equal",
            "OK" if stored_ok else "WRONG",
        ),
        (
            "  history events / audit entries / cards",
            f"{rows['record_event']} / {rows['audit_entry']} / {rows['record_card']}",
            "",
            "",
            "",
        ),
        ("  repeat-claimant warnings", str(tally.repeat), "", "", ""),
        ("  duplicate warnings / other replies", f"{tally.duplicate} / {tally.other}", "", "0", ""),
        (
            "bot CPU per reply in throughput phase (ms)",
            ms(kefu.throughput.cpu.bot / kefu.throughput.throughput),
            ms(echo.throughput.cpu.bot / echo.throughput.throughput),
            "",
            "",
        ),
        (
            "CPU in throughput phase: bot/driver/others",
            cpu_text(kefu.throughput.cpu),
            cpu_text(echo.throughput.cpu),
            "others ~0",
            "",
        ),
        (
            "replies lost / refused / unmatched",
            f"{kefu.throughput.lost + kefu.latency.lost} / {kefu.failed} / {kefu.unexpected}",
            f"{echo.throughput.lost + echo.latency.lost} / {echo.failed} / {echo.unexpected}",
            "0",
            "",
        ),
    ]


def find_verdict(stats: LatencyStats) -> str:
    """Judged on p99; when only p99 misses, says so (one request at a time: p99 is a few slow outliers)."""
    if stats.p99 < TARGET_FIND:
        return "PASS"
    return "MISS (p50 PASS)" if stats.p50 < TARGET_FIND else "MISS"


def find_rows(seeded: Seeded, found: FindFigures) -> list[tuple[str, ...]]:
    """The table of phase 4: end-to-end latency by request, then the service calls in-process."""
    rows: list[tuple[str, ...]] = []
    for label in (*QUERIES, LOG):
        stats = LatencyStats.of(found.latencies.get(label, []))
        target = f"< {TARGET_FIND * 1000:.0f}" if label in QUERIES else ""
        rows.append(
            (
                f"{label} end to end",
                str(stats.count),
                ms(stats.p50),
                ms(stats.p90),
                ms(stats.p99),
                ms(stats.max),
                target,
                find_verdict(stats) if target else "",
            )
        )
    for label in QUERIES:
        stats = LatencyStats.of(seeded.service.get(label, []))
        rows.append(
            (
                f"  {SERVICE_CALLS[label]} in-process",
                str(stats.count),
                ms(stats.p50),
                ms(stats.p90),
                ms(stats.p99),
                ms(stats.max),
                "",
                "",
            )
        )
    return rows


def report(
    kefu: BotFigures,
    echo: BotFigures,
    tally: Tally,
    rows: dict[str, int],
    seeded: Seeded,
    found: FindFigures,
    args: argparse.Namespace,
) -> str:
    """The tables of figures with targets, as printed and as pasted into docs/benchmarks.md."""
    assert kefu.throughput and echo.throughput and kefu.latency and echo.latency and found.startup
    lines = [
        f"kefu-bot records benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {machine()}",
        f"logging: {args.users} users sending /refund and /courier in turn; throughput {args.seconds:g} s "
        f"per bot in {args.rounds} rounds (+{args.warmup:g} s warm-up each); "
        f"latency {args.latency_seconds:g} s at {args.rate:g}/s",
        "",
        *table(("figure", "kefu-bot", "echo bot", "target", ""), logging_rows(kefu, echo, tally, rows, args)),
        "",
        f"lookups: {seeded.count:,} records seeded by SQL in {seeded.seconds:.1f} s "
        f"({seeded.size_mb:.0f} MiB SQLite file); kefu-bot BOT_RATE_LIMIT=true; one request at a time, "
        f"{found.rate:g}/s, in random order",
        "",
        *table(
            ("request (ms)", "n", "p50", "p90", "p99", "max", "target", "on p99"),
            find_rows(seeded, found),
        ),
        "",
        f"start -> first getUpdates with {seeded.count:,} records: {found.startup.first_get_updates:.2f} s; "
        f"CPU bot/driver/others {cpu_text(found.cpu) if found.cpu else '?'}; "
        f"wrong replies {dict(found.wrong) or 0}; lost {found.lost}",
        *(f"plan {label}: {plan}" for label, plan in seeded.plans.items()),
        "",
        "kefu-bot: throughput with BOT_RATE_LIMIT=false, latency and lookups with BOT_RATE_LIMIT=true.",
        f"kefu-bot answered {kefu.sample.splitlines()[0]!r}…; echo bot answered with the command.",
        *(f"sample {label}: {text.splitlines()[0]!r}" for label, text in found.samples.items()),
        "CPU is in cores (1.00 = one core busy); driver = this process (fake server + simulated users).",
    ]
    if tally.other_sample:
        lines.append(f"unexpected reply to a record command: {tally.other_sample!r}")
    busiest = max(
        [r.cpu.others for r in (kefu.throughput, kefu.latency, echo.throughput, echo.latency)]
        + ([found.cpu.others] if found.cpu else [])
    )
    if busiest > DISTURBED:
        lines.append(
            f"WARNING: other processes used up to {busiest:.2f} cores during a phase; figures are disturbed."
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; --quick shortens every phase for a smoke run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="throughput time per bot (default 60)")
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument(
        "--records",
        type=int,
        help="records seeded for the lookups (default 1000000); with --durability, logged in-process (3000)",
    )
    parser.add_argument(
        "--rate", type=float, default=30.0, help="commands/s in the latency phase (default 30)"
    )
    parser.add_argument(
        "--latency-seconds", type=float, default=20.0, help="latency phase length (default 20)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="turns each bot takes in the throughput phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each round (default 2)")
    parser.add_argument("--finds", type=int, default=200, help="requests of each lookup kind (default 200)")
    parser.add_argument(
        "--find-rate", type=float, default=20.0, help="lookup requests per second (default 20)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for data and request order")
    parser.add_argument(
        "--quick", action="store_true", help="short phases and 100,000 records: a smoke run (~1 min)"
    )
    parser.add_argument(
        "--durability", action="store_true", help="only what synchronous=FULL costs against NORMAL (~3 min)"
    )
    args = parser.parse_args(argv)
    args.records = args.records or (3_000 if args.durability else 1_000_000)
    if args.quick:
        args.seconds, args.latency_seconds, args.warmup, args.rounds = 6.0, 5.0, 1.0, 2
        args.records, args.finds = 100_000, 50
    if (
        min(args.users, args.rounds, args.finds) < 1
        or min(args.seconds, args.latency_seconds, args.rate, args.find_rate) <= 0
        or args.records < 1_000
    ):
        parser.error("--users, --rounds, --finds, --seconds, --rates must be positive; --records >= 1000")
    return args


async def run_durability(args: argparse.Namespace) -> Durability:
    """The --durability variant, in a temporary folder."""
    users = [FIRST_USER_ID + i for i in range(args.users)]
    with tempfile.TemporaryDirectory(prefix="kefu-bench-durability-") as tmp:
        return await durability(users, Path(tmp), args)


def main(argv: list[str] | None = None) -> int:
    """Run, print the report; 0 unless a bot could not be driven at all."""
    args = parse_args(argv)
    if args.durability:
        try:
            figures = asyncio.run(
                asyncio.wait_for(run_durability(args), 2 * args.seconds + args.records / 50 + 240)
            )
        except (RuntimeError, TimeoutError) as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        print(durability_report(figures, args))
        return 0
    budget = (
        2 * (args.seconds + args.latency_seconds + args.rounds * args.warmup)
        + 4 * args.finds / args.find_rate
        + args.records / 10_000
        + 240
    )
    try:
        results = asyncio.run(asyncio.wait_for(run(args), budget))
    except (RuntimeError, TimeoutError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(report(*results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
