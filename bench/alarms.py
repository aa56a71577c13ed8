"""Alarm burst benchmark (not a test): 1,000 alarms due at the same instant across 100 group chats.

    python bench/alarms.py [--alarms 1000] [--chats 100] [--inject 20] [--quick] [--timeline PREFIX]

kefu-bot runs as a subprocess, like production (`python -m bot run`, BOT_RATE_LIMIT=true), polling an
in-process FakeBotApi on 127.0.0.1 that enforces Telegram's send limits (20 messages per rolling minute
per group, 30 per rolling second overall) by answering 429 with retry_after, like Telegram.

Each phase seeds a fresh SQLite database in-process (`schedules.create`, one-off alarms, --alarms spread
evenly over --chats groups, all due at the same instant, --lead seconds after seeding starts), starts the
bot, waits until every alarm was posted (or a deadline), and stops the bot. Phases:

1. limits: the fake server only enforces the limits.
2. limits + injected 429s: also, --inject-at seconds into the burst, the next --inject sendMessage calls
   are answered 429 with retry_after=1 whatever the rate (Telegram's flood control for its own reasons).
   Skipped with --inject 0.

Figures per phase: delivered / lost / duplicated alarms, 429s (limit violations and injected), makespan
(last alarm's first successful post - due time), the bound the limits allow (see `earliest_finish`), their
ratio (target <= 1.15) and per-alarm lateness p50/p99/max.

Prints a table with the targets and PASS/MISS; exits 0 whatever the figures (1 only if the bot failed).
--timeline PREFIX also writes PREFIX-<phase>.tsv: every sendMessage to a group (seconds after due, HTTP
status, chat id, alarm) and PREFIX-<phase>.log, the bot's log, for finding out where time went.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import math
import re
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as `python bench/alarms.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, CpuMeter, CpuUse, LatencyStats, bot_session, kefu_bot, machine
from bot import db
from bot.fakeapi import ApiCall, FakeBotApi
from bot.services.scheduling import schedules
from bot.services.when import Once, Reading

PER_CHAT_PER_MINUTE = 20
OVERALL_PER_SECOND = 30
"""Telegram's limits, as the fake server enforces them (rolling windows)."""
TARGET_RATIO = 1.15
"""Makespan at most this many times the bound the limits allow."""
INJECTED_RETRY_AFTER = 1
ZONE = ZoneInfo("Asia/Shanghai")
PROBE_USER = 7_100_001
OWNER = 7_100_002
FIRST_GROUP = -1_009_000_000_000
"""Group chat ids count down from here (supergroup-style ids)."""
ALARM_TEXT = re.compile(r"alarm (\d+) (\d+)")
SETTLE = 2.0
"""Seconds to keep listening after the last alarm arrived, to catch late duplicates."""
DISTURBED = 0.25
"""Cores used by other processes above which a phase's figures are flagged as disturbed."""
GIVE_UP_MARKERS = {
    "deferred": "posting failed, will retry",
    "re-armed after 429": "Telegram asked to wait",
}
"""Bot log lines counted per phase: postings that jobs.alarms.retry_later put off by 30 s after a transient
error, and by Telegram's retry_after after a 429."""


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def group_id(index: int) -> int:
    """The chat id of the index-th group."""
    return FIRST_GROUP - index


def alarm_keys(alarms: int, chats: int) -> list[tuple[int, int]]:
    """(chat index, number within the chat) of every alarm, round-robin over the chats."""
    return [(n % chats, n // chats) for n in range(alarms)]


# ---------------------------------------------------------------------- the bound


def earliest_finish(
    chat_of: Sequence[int],
    *,
    per_second: int = OVERALL_PER_SECOND,
    per_chat_per_minute: int = PER_CHAT_PER_MINUTE,
    blackouts: Sequence[tuple[float, float]] = (),
) -> float:
    """Seconds from the due instant until the last message can be accepted, sending each as early as allowed.

    Messages go in the order of `chat_of` (their chats). Each is accepted at the earliest moment at which
    the server's rolling windows allow it (fewer than `per_second` accepted in the last second, fewer than
    `per_chat_per_minute` in its chat in the last minute: a stamp exactly one window old no longer
    counts, as in the fake server) and which is outside every blackout [start, end) (seconds after due:
    a 429 whose retry_after the bot must honour). With a single overall limit this greedy schedule is the
    optimum: 1,000 messages at 30/s give 33.0 s (batches at 0, 1, ..., 33 s). Per-chat limits only bind
    above 20 alarms per chat; round-robin order keeps the greedy schedule close to optimal then too.
    """
    overall: deque[float] = deque()
    per_chat: defaultdict[int, deque[float]] = defaultdict(deque)
    ordered = sorted(blackouts)
    t = 0.0
    for chat in chat_of:
        stamps = per_chat[chat]
        while True:
            start = t
            if len(overall) >= per_second:
                t = max(t, overall[-per_second] + 1.0)
            if len(stamps) >= per_chat_per_minute:
                t = max(t, stamps[-per_chat_per_minute] + 60.0)
            for begin, end in ordered:
                if begin <= t < end:
                    t = end
            if t == start:
                break
        overall.append(t)
        stamps.append(t)
    return t


def merged(intervals: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping intervals joined."""
    out: list[tuple[float, float]] = []
    for begin, end in sorted(intervals):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((begin, end))
    return out


# ---------------------------------------------------------------------- one phase


@dataclass
class Collector:
    """Watches every sendMessage to a group as the fake server answers it (its `on_call` hook)."""

    api: FakeBotApi
    posts: defaultdict[tuple[int, int], list[float]] = field(default_factory=lambda: defaultdict(list))
    """Successful post times (monotonic) of each alarm."""
    attempts: int = 0
    limit_429: int = 0
    injected: list[tuple[float, float]] = field(default_factory=list)
    """(arrival time, retry_after) of each injected 429."""
    other_errors: int = 0
    unknown: int = 0
    """Successful group posts that are not one of our alarms."""
    timeline: list[tuple[float, int, int, str]] = field(default_factory=list)
    """(arrival time, HTTP status, chat id, alarm text or "") of every sendMessage to a group."""
    _violations: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        """Install the hook; limit violations so far are not ours."""
        self._violations = self.api.limit_violations
        self.api.on_call = self.on_call

    def on_call(self, call: ApiCall) -> None:
        """Sort one call: a post, a 429 for exceeding the limits, an injected 429, another error."""
        chat_id = call.params.get("chat_id")
        if call.method != "sendMessage" or not isinstance(chat_id, int) or chat_id >= 0:
            return
        self.attempts += 1
        found = ALARM_TEXT.search(str(call.params.get("text", "")))
        self.timeline.append((call.at, call.status, chat_id, found.group(0) if found else ""))
        if call.status == 200:
            if found is None:
                self.unknown += 1
            else:
                self.posts[(int(found.group(1)), int(found.group(2)))].append(call.at)
                self._changed.set()
        elif call.status == 429 and self.api.limit_violations != self._violations:
            self._violations = self.api.limit_violations
            self.limit_429 += 1
        elif call.status == 429:
            params = (call.error or {}).get("parameters") or {}
            self.injected.append((call.at, float(params.get("retry_after") or 0)))
        else:
            self.other_errors += 1

    async def until(self, count: int, deadline: float) -> bool:
        """Wait until `count` distinct alarms were posted (True) or the deadline passed (False)."""
        while len(self.posts) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 5.0))
            except TimeoutError:
                log(f"  ... {len(self.posts)} alarms posted")
        return True


@dataclass
class PhaseResult:
    """What one burst measured; times in seconds after the due instant."""

    name: str
    alarms: int
    chats: int
    inject: int
    ready_before_due: float
    """Seconds between the bot's first getUpdates and the due instant (must be > 0)."""
    first_posts: dict[tuple[int, int], float]
    """Each delivered alarm's first successful post, relative to due."""
    duplicated: int
    attempts: int
    limit_429: int
    injected: list[tuple[float, float]]
    """(time relative to due, retry_after) of each injected 429."""
    other_errors: int
    unknown: int
    bound: float
    cpu: CpuUse
    log_counts: dict[str, int]
    completed: bool

    @property
    def delivered(self) -> int:
        """Distinct alarms posted at least once."""
        return len(self.first_posts)

    @property
    def lost(self) -> int:
        """Alarms never posted."""
        return self.alarms - self.delivered

    @property
    def makespan(self) -> float:
        """From due to the last alarm's first successful post."""
        return max(self.first_posts.values()) if self.first_posts else float("nan")

    @property
    def ratio(self) -> float:
        """Makespan over the bound."""
        return self.makespan / self.bound if self.bound > 0 else float("nan")

    @property
    def blocked(self) -> float:
        """Seconds covered by the injected 429s' retry_after windows (overlaps counted once)."""
        return sum(end - begin for begin, end in merged([(at, at + wait) for at, wait in self.injected]))

    @property
    def ok(self) -> bool:
        """Everything delivered once, within the target."""
        return self.lost == 0 and self.duplicated == 0 and self.ratio <= TARGET_RATIO


async def seed(url: str, keys: Sequence[tuple[int, int]], due: dt.datetime) -> None:
    """A fresh database with one one-off alarm per key, all due at `due` (in-process, before the bot)."""
    await db.open_db(url)
    try:
        now = dt.datetime.now(dt.UTC)
        for chat, number in keys:
            await schedules.create(
                kind="shelf",
                chat_id=group_id(chat),
                owner_id=OWNER,
                parsed=Reading(Once(due), f"alarm {chat} {number}"),
                zone=ZONE,
                now=now,
                escalate_minutes=None,
            )
    finally:
        await db.close_db()


def count_log_lines(path: Path) -> dict[str, int]:
    """How often each GIVE_UP_MARKERS line appears in the bot's log."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return dict.fromkeys(GIVE_UP_MARKERS, -1)
    return {name: text.count(marker) for name, marker in GIVE_UP_MARKERS.items()}


async def phase(name: str, workdir: Path, args: argparse.Namespace, inject: int) -> PhaseResult:
    """Seed, start the bot, let the alarms fall due, collect every post, stop the bot."""
    keys = alarm_keys(args.alarms, args.chats)
    url = f"sqlite://{workdir / f'{name}.sqlite3'}"
    wall_due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead)
    due = time.monotonic() + args.lead
    log(f"{name}: seeding {len(keys)} alarms in {args.chats} groups, due in {args.lead:g} s")
    started = time.monotonic()
    await seed(url, keys, wall_due)
    log(f"  seeded in {time.monotonic() - started:.1f} s")
    env = {
        "DATABASE_URL": url,
        "BOT_RATE_LIMIT": "true",
        "BOT_LOCALE": "en",
        "BOT_TIMEZONE": "Asia/Shanghai",
        "BOT_OWNER_IDS": str(OWNER),
    }
    async with bot_session(kefu_bot(env, name=f"kefu-bot-{name}"), [PROBE_USER], workdir) as session:
        api = session.api
        ready = api.calls_to("getUpdates")[0].at
        log(f"  bot ready {due - ready:.1f} s before due")
        if ready >= due - 0.5:
            raise RuntimeError(f"the bot was ready only {due - ready:.1f} s before due: raise --lead")
        for chat in range(args.chats):
            api.group(group_id(chat), f"Shop team {chat}")
        api.enforce_limits(PER_CHAT_PER_MINUTE, OVERALL_PER_SECOND)
        collector = Collector(api)
        meter = CpuMeter(session.bot)
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        meter.start()
        if inject:
            await asyncio.sleep(args.inject_at)
            api.fail("sendMessage", status=429, retry_after=INJECTED_RETRY_AFTER, times=inject)
            log(f"  {args.inject_at:g} s in: the next {inject} sendMessage calls get 429")
        deadline = due + args.timeout
        completed = await session.bot.until_exit(
            collector.until(len(keys), deadline), args.timeout + 10, "the alarms"
        )
        await asyncio.sleep(SETTLE)
        cpu = meter.stop()
        log(f"  {len(collector.posts)}/{len(keys)} alarms posted; stopping the bot")
    if args.timeline:
        write_timeline(Path(f"{args.timeline}-{name}"), collector, due, session.bot.log_path)
    first_posts = {key: min(times) - due for key, times in collector.posts.items()}
    injected = [(at - due, wait) for at, wait in collector.injected]
    chat_of = [chat for chat, _ in keys]
    blackouts = [(at, at + wait) for at, wait in injected]
    return PhaseResult(
        name=name,
        alarms=len(keys),
        chats=args.chats,
        inject=inject,
        ready_before_due=due - ready,
        first_posts=first_posts,
        duplicated=sum(1 for times in collector.posts.values() if len(times) > 1),
        attempts=collector.attempts,
        limit_429=collector.limit_429,
        injected=injected,
        other_errors=collector.other_errors,
        unknown=collector.unknown,
        bound=earliest_finish(chat_of, blackouts=blackouts),
        cpu=cpu,
        log_counts=count_log_lines(session.bot.log_path),
        completed=completed,
    )


def write_timeline(prefix: Path, collector: Collector, due: float, bot_log: Path) -> None:
    """The calls as a TSV next to a copy of the bot's log (--timeline)."""
    rows = [f"{at - due:.4f}\t{status}\t{chat}\t{text}\n" for at, status, chat, text in collector.timeline]
    prefix.with_name(prefix.name + ".tsv").write_text("".join(rows), encoding="utf-8")
    prefix.with_name(prefix.name + ".log").write_bytes(bot_log.read_bytes())


async def run(args: argparse.Namespace) -> list[PhaseResult]:
    """Every phase, each with a fresh database, fake server and bot process."""
    results = []
    with tempfile.TemporaryDirectory(prefix="kefu-alarms-") as tmp:
        workdir = Path(tmp)
        plan = [("limits", 0)] + ([("limits+429s", args.inject)] if args.inject else [])
        for name, inject in plan:
            result = await phase(name, workdir, args, inject)
            log(
                f"  -> {result.delivered} delivered, {result.lost} lost, {result.duplicated} duplicated, "
                f"makespan {result.makespan:.2f} s, bound {result.bound:.2f} s ({result.ratio:.2f}x)"
            )
            results.append(result)
    return results


# ---------------------------------------------------------------------- reporting


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def seconds(value: float) -> str:
    """Seconds for the table."""
    return f"{value:.2f}"


def report(results: list[PhaseResult], args: argparse.Namespace) -> str:
    """The table of figures with targets, as printed and as pasted into docs/benchmarks.md."""
    rows: list[tuple[str, ...]] = []

    def row(figure: str, cells: list[str], target: str = "", checks: list[bool] | None = None) -> None:
        mark = " / ".join(verdict(ok) for ok in checks) if checks is not None else ""
        rows.append((figure, *cells, target, mark))

    def each(part: str) -> list[str]:
        return [part.format(r=result) for result in results]

    lateness = [LatencyStats.of(list(result.first_posts.values())) for result in results]
    row("alarms due / group chats", each("{r.alarms} / {r.chats}"))
    row("bot ready before due (s)", [seconds(r.ready_before_due) for r in results])
    row("delivered", each("{r.delivered}"), "all", [r.lost == 0 for r in results])
    row("lost", each("{r.lost}"), "0", [r.lost == 0 for r in results])
    row("duplicated", each("{r.duplicated}"), "0", [r.duplicated == 0 for r in results])
    row("sendMessage attempts to groups", each("{r.attempts}"))
    row("429 for exceeding the limits", each("{r.limit_429}"))
    row("429 injected (retry_after 1 s)", [f"{len(r.injected)}" for r in results])
    row("  time they block, overlaps once (s)", [seconds(r.blocked) for r in results])
    row("other errors / unknown posts", each("{r.other_errors} / {r.unknown}"))
    row("postings deferred 30 s (bot log)", [str(r.log_counts["deferred"]) for r in results])
    row("postings re-armed after a 429 (bot log)", [str(r.log_counts["re-armed after 429"]) for r in results])
    row("first post after due (s)", [seconds(min(r.first_posts.values(), default=math.nan)) for r in results])
    row("makespan: last alarm's first post (s)", [seconds(r.makespan) for r in results])
    row("bound the limits allow (s)", [seconds(r.bound) for r in results])
    row(
        "makespan / bound",
        [f"{r.ratio:.2f}" for r in results],
        f"<= {TARGET_RATIO:g}",
        [r.ratio <= TARGET_RATIO for r in results],
    )
    row("lateness p50 (s)", [seconds(stats.p50) for stats in lateness])
    row("lateness p99 (s)", [seconds(stats.p99) for stats in lateness])
    row("lateness max (s)", [seconds(stats.max) for stats in lateness])
    row("CPU during burst: bot/driver/others", [cpu_text(r.cpu) for r in results], "others ~0")
    row("all delivered once, within target", [""] * len(results), "", [r.ok for r in results])

    header = ("figure", *(r.name for r in results), "target", "")
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = [
        f"kefu-bot alarm burst benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {machine()}",
        f"code: {args.code}",
        f"load: {args.alarms} one-off alarms due at the same instant in {args.chats} groups; fake server "
        f"enforcing {PER_CHAT_PER_MINUTE}/min per group and {OVERALL_PER_SECOND}/s overall"
        + (f"; {args.inject} injected 429s {args.inject_at:g} s into the burst" if args.inject else ""),
        "",
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    for line in rows:
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)
            ).rstrip()
        )
    lines += [
        "",
        "kefu-bot with BOT_RATE_LIMIT=true (production). Times in seconds after the due instant.",
        "bound = earliest moment the last alarm can be accepted under the rolling limits, skipping the",
        "injected 429s' retry_after windows; lateness = an alarm's first successful post - due.",
        "CPU is in cores (1.00 = one core busy); driver = this process (fake server).",
    ]
    busiest = max(result.cpu.others for result in results)
    if busiest > DISTURBED:
        lines.append(
            f"WARNING: other processes used up to {busiest:.2f} cores during a phase; figures are disturbed."
        )
    if not all(result.completed for result in results):
        lines.append(f"WARNING: some alarms were still missing after --timeout {args.timeout:g} s.")
    return "\n".join(lines)


def fingerprint(*paths: str) -> str:
    """Short content hashes of the code under test: the working tree changes while benchmarks run."""
    parts = []
    for path in paths:
        try:
            digest = hashlib.sha256((REPO / path).read_bytes()).hexdigest()[:10]
        except OSError:
            digest = "missing"
        parts.append(f"{path} {digest}")
    return ", ".join(parts)


def cpu_text(cpu: CpuUse) -> str:
    """Cores used by the bot, the driver and the rest of the machine."""
    return f"{cpu.bot:.2f}/{cpu.driver:.2f}/{cpu.others:.2f}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; --quick is 100 alarms in 10 groups."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--alarms", type=int, default=1000, help="alarms due at once (default 1000)")
    parser.add_argument("--chats", type=int, default=100, help="group chats they are spread over (100)")
    parser.add_argument(
        "--inject", type=int, default=None, help="429s injected in phase 2 (default alarms/50; 0: no phase 2)"
    )
    parser.add_argument(
        "--inject-at", type=float, default=None, help="seconds into the burst (default: a third of the bound)"
    )
    parser.add_argument(
        "--lead", type=float, default=10.0, help="seconds from seeding to due: seeding + start-up (10)"
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds after due to wait for the alarms (bound + 40)"
    )
    parser.add_argument("--timeline", help="write PREFIX-<phase>.tsv (every group send) and .log (the bot's)")
    parser.add_argument("--quick", action="store_true", help="100 alarms in 10 groups: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.alarms, args.chats = 100, 10
    if min(args.alarms, args.chats, args.lead) <= 0 or args.chats > args.alarms:
        parser.error("--alarms, --chats and --lead must be positive, with no more chats than alarms")
    bound = earliest_finish([chat for chat, _ in alarm_keys(args.alarms, args.chats)])
    if args.inject is None:
        args.inject = max(1, args.alarms // 50)
    if args.inject_at is None:
        args.inject_at = round(bound / 3, 1)
    if args.timeout is None:
        args.timeout = bound + 40.0
    return args


def main(argv: list[str] | None = None) -> int:
    """Run, print the report; 0 unless the bot could not be driven at all."""
    args = parse_args(argv)
    args.code = fingerprint("jobs/alarms.py", "bot/app.py", "bot/services/schedules.py")
    budget = 2 * (args.lead + args.timeout + 30)
    try:
        results = asyncio.run(asyncio.wait_for(run(args), budget))
    except (RuntimeError, TimeoutError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
