"""Throughput benchmark (not a test): kefu-bot against a bare PTB echo bot on the same fake Bot API.

    python bench/throughput.py [--seconds 30] [--users 50] [--quick]

Each bot runs as a subprocess, like production, polling its own in-process FakeBotApi on 127.0.0.1.
Simulated users each talk to the bot in their own private chat. Phases, in order:

1. kefu-bot with production settings (BOT_RATE_LIMIT=true, fresh SQLite database): time from start to
   the first getUpdates (migrations included), idle RSS ~2 s later, then an open loop of /whoami at
   --rate commands/s for --latency-seconds: p50/p90/p99/max latency. Then it is stopped.
2. The echo bot (bench/echo_bot.py): the same start-up, idle RSS and latency measurements.
3. kefu-bot again with BOT_RATE_LIMIT=false (now migrated database), started next to the idle echo bot.
   Closed loop (every user sends /whoami, waits for the reply, sends again): replies/s. The bots take
   turns, --rounds windows each adding up to --seconds per bot, so a machine that drifts slower or
   faster during the run affects both alike. The client-side limiter caps any bot at 30 messages/s,
   so with it on both would measure 30/s; off, the ratio shows what our handlers cost over bare PTB.

Prints a table with the targets and PASS/MISS; exits 0 whatever the figures (1 only if a bot failed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/throughput.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
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

COMMAND = "/whoami"
FIRST_USER_ID = 7_000_001
OWNERS = 3
"""The first few users own the bot (managers), so /whoami finds roles for some and none for others."""
IDLE_AFTER = 2.0
"""Seconds after the first getUpdates at which idle RSS is read."""

DISTURBED = 0.25
"""Cores used by other processes above which a phase's figures are flagged as disturbed."""

TARGET_RATIO = 0.75
TARGET_P99 = 0.050
TARGET_RSS_MB = 120.0
TARGET_STARTUP = 2.0


@dataclass
class BotFigures:
    """Everything measured for one bot."""

    startup: Startup | None = None
    startup_migrated: Startup | None = None
    idle_rss: float = float("nan")
    loaded_rss: float = float("nan")
    latency: LoadResult | None = None
    throughput: LoadResult | None = None
    rounds: list[LoadResult] = field(default_factory=list)
    sample: str = ""
    failed: int = 0
    unexpected: int = 0


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def idle_rss(session: Session) -> float:
    """RSS of the bot IDLE_AFTER seconds after its first getUpdates, before any load."""
    await asyncio.sleep(
        max(0.0, session.bot.started_at + session.startup.first_get_updates + IDLE_AFTER - time.monotonic())
    )
    return session.bot.rss_mb()


def note_errors(figures: BotFigures, session: Session) -> None:
    """Carry over the tracker's error counts."""
    figures.failed += session.tracker.failed
    figures.unexpected += session.tracker.unexpected


async def latency_phase(session: Session, users: list[int], args: argparse.Namespace) -> LoadResult:
    """Every user once (first-seen work), then the open loop at --rate."""
    await warm_up(session, users, COMMAND)
    log(f"  latency: {args.rate:g} commands/s for {args.latency_seconds:g} s")
    result = await open_loop(session, users, COMMAND, rate=args.rate, seconds=args.latency_seconds)
    p99 = LatencyStats.of(result.latencies).p99
    log(f"  -> p99 {ms(p99)} ms, {result.lost} lost, CPU {cpu_text(result.cpu)}")
    return result


async def throughput_rounds(
    sessions: dict[str, Session], users: list[int], args: argparse.Namespace
) -> dict[str, list[LoadResult]]:
    """The closed loop, each bot in turn for --rounds windows (after a warm-up each)."""
    window = args.seconds / args.rounds
    results: dict[str, list[LoadResult]] = {name: [] for name in sessions}
    for number in range(1, args.rounds + 1):
        for name, session in sessions.items():
            result = await closed_loop(session, users, COMMAND, seconds=window, warmup=args.warmup)
            results[name].append(result)
            log(
                f"  round {number}/{args.rounds} {name}: {result.throughput:.1f} replies/s, "
                f"CPU {cpu_text(result.cpu)}"
            )
    return results


async def run(args: argparse.Namespace) -> tuple[BotFigures, BotFigures]:
    """All phases; every bot process is stopped at the end (or on any error)."""
    users = [FIRST_USER_ID + i for i in range(args.users)]
    kefu, echo = BotFigures(), BotFigures()
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
        workdir = Path(tmp)
        env = {
            "DATABASE_URL": f"sqlite://{workdir / 'bench.sqlite3'}",
            "BOT_OWNER_IDS": ",".join(str(user) for user in users[:OWNERS]),
            "BOT_LOCALE": "en",
            "BOT_TIMEZONE": "Asia/Shanghai",
        }

        log("kefu-bot, BOT_RATE_LIMIT=true, fresh database")
        spec = kefu_bot({**env, "BOT_RATE_LIMIT": "true"})
        async with bot_session(spec, users, workdir, probe=COMMAND) as session:
            kefu.startup, kefu.sample = session.startup, session.probe.text
            log(f"  first getUpdates after {session.startup.first_get_updates:.2f} s")
            kefu.idle_rss = await idle_rss(session)
            log(f"  idle RSS {kefu.idle_rss:.1f} MiB")
            kefu.latency = await latency_phase(session, users, args)
            note_errors(kefu, session)

        log("echo bot")
        async with bot_session(echo_bot(), users, workdir, probe=COMMAND) as echo_session:
            echo.startup, echo.sample = echo_session.startup, echo_session.probe.text
            log(f"  first getUpdates after {echo_session.startup.first_get_updates:.2f} s")
            echo.idle_rss = await idle_rss(echo_session)
            log(f"  idle RSS {echo.idle_rss:.1f} MiB")
            echo.latency = await latency_phase(echo_session, users, args)

            log("kefu-bot, BOT_RATE_LIMIT=false, migrated database; throughput, taking turns with echo")
            spec = kefu_bot({**env, "BOT_RATE_LIMIT": "false"}, name="kefu-bot-unlimited")
            async with bot_session(spec, users, workdir, probe=COMMAND) as kefu_session:
                kefu.startup_migrated = kefu_session.startup
                log(f"  first getUpdates after {kefu_session.startup.first_get_updates:.2f} s")
                await warm_up(kefu_session, users, COMMAND)
                await warm_up(echo_session, users, COMMAND)
                rounds = await throughput_rounds({"kefu": kefu_session, "echo": echo_session}, users, args)
                kefu.rounds, echo.rounds = rounds["kefu"], rounds["echo"]
                kefu.throughput = LoadResult.combine(kefu.rounds)
                echo.throughput = LoadResult.combine(echo.rounds)
                kefu.loaded_rss, echo.loaded_rss = kefu_session.bot.rss_mb(), echo_session.bot.rss_mb()
                note_errors(kefu, kefu_session)
            note_errors(echo, echo_session)
    return kefu, echo


def cpu_text(cpu: CpuUse) -> str:
    """Cores used by the bot, the driver and the rest of the machine."""
    return f"{cpu.bot:.2f}/{cpu.driver:.2f}/{cpu.others:.2f}"


def spread(rounds: list[LoadResult]) -> str:
    """Lowest and highest throughput of the rounds."""
    values = [result.throughput for result in rounds]
    return f"{min(values):.0f}-{max(values):.0f}" if values else ""


def ratio_spread(kefu: list[LoadResult], echo: list[LoadResult]) -> str:
    """Lowest and highest ratio of a kefu round to the echo round that followed it."""
    values = [k.throughput / e.throughput for k, e in zip(kefu, echo, strict=True)]
    return f"{min(values):.2f}-{max(values):.2f}" if values else ""


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def report(kefu: BotFigures, echo: BotFigures, args: argparse.Namespace) -> str:
    """The table of figures with targets, as printed and as pasted into docs/benchmarks.md."""
    assert kefu.throughput and echo.throughput and kefu.latency and echo.latency
    assert kefu.startup and kefu.startup_migrated and echo.startup
    ratio = kefu.throughput.throughput / echo.throughput.throughput
    k_lat, e_lat = LatencyStats.of(kefu.latency.latencies), LatencyStats.of(echo.latency.latencies)
    rows: list[tuple[str, str, str, str, str]] = [
        (
            f"throughput, {args.users} users closed loop (replies/s)",
            f"{kefu.throughput.throughput:.1f}",
            f"{echo.throughput.throughput:.1f}",
            "",
            "",
        ),
        (f"  lowest-highest of {args.rounds} rounds", spread(kefu.rounds), spread(echo.rounds), "", ""),
        (
            "throughput ratio kefu/echo",
            f"{ratio:.2f}",
            "",
            f">= {TARGET_RATIO}",
            verdict(ratio >= TARGET_RATIO),
        ),
        (f"  lowest-highest of {args.rounds} rounds", ratio_spread(kefu.rounds, echo.rounds), "", "", ""),
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
            "idle RSS after start (MiB)",
            f"{kefu.idle_rss:.1f}",
            f"{echo.idle_rss:.1f}",
            f"< {TARGET_RSS_MB:.0f}",
            verdict(kefu.idle_rss < TARGET_RSS_MB),
        ),
        (
            "start -> first getUpdates, fresh DB (s)",
            f"{kefu.startup.first_get_updates:.2f}",
            f"{echo.startup.first_get_updates:.2f}",
            f"< {TARGET_STARTUP:g}",
            verdict(kefu.startup.first_get_updates < TARGET_STARTUP),
        ),
        (
            "start -> first getUpdates, migrated DB (s)",
            f"{kefu.startup_migrated.first_get_updates:.2f}",
            "",
            f"< {TARGET_STARTUP:g}",
            verdict(kefu.startup_migrated.first_get_updates < TARGET_STARTUP),
        ),
        (
            "start -> first reply, fresh DB (s)",
            f"{kefu.startup.first_reply:.2f}",
            f"{echo.startup.first_reply:.2f}",
            "",
            "",
        ),
        ("RSS after throughput phase (MiB)", f"{kefu.loaded_rss:.1f}", f"{echo.loaded_rss:.1f}", "", ""),
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
    header = ("figure", "kefu-bot", "echo bot", "target", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    lines = [
        f"kefu-bot throughput benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {machine()}",
        f"load: {args.users} users sending {COMMAND}; throughput {args.seconds:g} s per bot in "
        f"{args.rounds} rounds (+{args.warmup:g} s warm-up each); latency {args.latency_seconds:g} s "
        f"at {args.rate:g}/s",
        "",
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
            ).rstrip()
        )
    lines += [
        "",
        "kefu-bot: throughput with BOT_RATE_LIMIT=false, latency with BOT_RATE_LIMIT=true (production).",
        f"kefu-bot answered {COMMAND} with: {kefu.sample!r}",
        f"echo bot answered {COMMAND} with: {echo.sample!r}",
        "CPU is in cores (1.00 = one core busy); driver = this process (fake server + simulated users).",
    ]
    busiest = max(
        result.cpu.others for result in (kefu.throughput, kefu.latency, echo.throughput, echo.latency)
    )
    if busiest > DISTURBED:
        lines.append(
            f"WARNING: other processes used up to {busiest:.2f} cores during a phase; figures are disturbed."
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; --quick shortens every phase for a smoke run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="throughput phase length (default 30)")
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument(
        "--rate", type=float, default=30.0, help="commands/s in the latency phase (default 30)"
    )
    parser.add_argument(
        "--latency-seconds", type=float, default=20.0, help="latency phase length (default 20)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="turns each bot takes in the throughput phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each round (default 2)")
    parser.add_argument("--quick", action="store_true", help="short phases (6 s, 5 s, 2 rounds): a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.latency_seconds, args.warmup, args.rounds = 6.0, 5.0, 1.0, 2
    if min(args.users, args.rounds) < 1 or min(args.seconds, args.latency_seconds, args.rate) <= 0:
        parser.error("--users, --rounds, --seconds, --latency-seconds and --rate must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run, print the report; 0 unless a bot could not be driven at all."""
    args = parse_args(argv)
    budget = 2 * (args.seconds + args.latency_seconds + args.rounds * args.warmup) + 180
    try:
        kefu, echo = asyncio.run(asyncio.wait_for(run(args), budget))
    except (RuntimeError, TimeoutError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(report(kefu, echo, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
