"""Backlog benchmark (not a test): how fast a bot drains updates queued while it was stopped.

    python bench/backlog.py [--updates 600] [--users 50] [--rounds 3] [--workloads light,records,chatter]
    python bench/backlog.py --before /tmp/kefu-before   # also kefu-bot from an older checkout, in turn
    python bench/backlog.py --profile light [--before DIR]   # kefu-bot alone under cProfile: top costs

After downtime or at a shift's start the bot's own CPU is the limit, which bench/throughput.py's closed
loop (bound by the round trip) hides. Here N updates from M people are queued on a fresh FakeBotApi
while no bot runs, then the bot starts with production settings (BOT_RATE_LIMIT=true, SQLite in WAL,
logging as shipped) and drains them. kefu-bot and the bare PTB bot of bench/echo_bot.py take turns,
--rounds each; the best round of each counts.

Workloads (each user's messages in their private chat unless said):
- light: /whoami, /help, /today in turn;
- records: /refund with all fields and /courier in turn, every number new;
- whoami: /whoami only (the issue's original measurement); help, today: that command only;
- chatter: plain text in one registered team group (no command: kefu-bot answers nothing, the bare bot
  runs with ECHO_COMMANDS_ONLY so it ignores it too).

The window runs from the bot's first getUpdates (start-up excluded) until every chat's end marker (a
/whoami queued last in each chat) is answered: kefu-bot handles chats side by side, each in order. CPU
ms per update is the bot process's own CPU time over the same window (psutil), divided by the updates
queued (markers included).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import pstats
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/backlog.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    REPO,
    BotProcess,
    BotSpec,
    ReplyTracker,
    echo_bot,
    kefu_bot,
    machine,
    production_env,
    register_users,
    spawn,
)
from bot.fakeapi import ApiCall, FakeBotApi

FIRST_USER_ID = 7_100_001
GROUP_ID = -100_777_000
MARKER = FIRST_USER_ID - 1
"""The person whose /whoami, queued last in the group, marks the end of a chatter drain."""
ORDER_BASE = 610_000_000_000_000_000
TRACKING_BASE = 880_000_000
WORKLOADS = ("light", "records", "chatter", "whoami", "help", "today")
ALONE = {"whoami": "/whoami", "help": "/help", "today": "/today"}
"""Workloads of one light command only, to tell their costs apart."""
SETUP_TIMEOUT = 60.0
DRAIN_TIMEOUT = 60.0


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- what users type


class Workload:
    """The text of the n-th queued update, and whether it goes to the team group (chatter)."""

    def __init__(self, name: str) -> None:
        """`name` is light, records or chatter; numbers stay unique across rounds."""
        self.name = name
        self._count = itertools.count()

    def text(self) -> str:
        """The next message."""
        n = next(self._count)
        if self.name == "light":
            return ("/whoami", "/help", "/today")[n % 3]
        if self.name in ALONE:
            return ALONE[self.name]
        if self.name == "records":
            if n % 2 == 0:
                return f"/refund {ORDER_BASE + n} 12.5 damaged buyer=tb_{n % 500} postage=shop"
            return f"/courier SF{TRACKING_BASE + n} overdue"
        return f"ok, customer {n} asked about the parcel again, I will check tomorrow"

    @property
    def in_group(self) -> bool:
        """Chatter is posted in the group; commands in each user's private chat."""
        return self.name == "chatter"


# ---------------------------------------------------------------------- one drain


@dataclass(frozen=True)
class Drain:
    """One backlog drained by one bot."""

    updates: int
    seconds: float
    cpu: float
    replies: Counter[str]
    """First lines of the replies (before the end marker's), counted: shows what was exercised."""

    @property
    def rate(self) -> float:
        """Updates handled per second."""
        return self.updates / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Bot CPU per update, in milliseconds."""
        return self.cpu * 1000 / self.updates


WHOAMI = "/whoami"


def is_whoami_answer(text: str) -> bool:
    """kefu-bot's answer to /whoami ("You are …"), or the bare bot's echo of it."""
    return text == WHOAMI or text.startswith("You are ")


class Window:
    """Timestamps and the bot's CPU at its first getUpdates and once every chat's end marker is answered.

    kefu-bot handles chats side by side (each chat in order), so one marker queued last proves nothing about
    the other chats: each chat gets its own marker, a /whoami queued last in it, and the window closes when
    every chat has had as many /whoami answers as it was sent /whoami (the marker's being the last)."""

    def __init__(self, api: FakeBotApi, expected: Counter[int]) -> None:
        """Chain in front of the tracker's hook on the fake server; `expected`: /whoami sent per chat."""
        self.bot: BotProcess | None = None
        self.start = self.start_cpu = self.end = self.end_cpu = 0.0
        self.replies: Counter[str] = Counter()
        self.expected = expected
        self.answered: Counter[int] = Counter()
        self.done = asyncio.get_running_loop().create_future()
        self._inner = api.on_call
        api.on_call = self._on_call

    def _on_call(self, call: ApiCall) -> None:
        if self._inner is not None:
            self._inner(call)
        assert self.bot is not None
        if call.method == "getUpdates" and not self.start:
            self.start, self.start_cpu = call.at, self.bot.cpu_seconds()
        elif call.method == "sendMessage" and call.status == 200 and isinstance(call.result, dict):
            text = str(call.result.get("text", ""))
            self.replies[text.split("\n", 1)[0][:40]] += 1
            chat = int(call.params["chat_id"])
            if is_whoami_answer(text):
                self.answered[chat] += 1
                if self.answered[chat] == self.expected[chat] and self.finished():
                    self.end, self.end_cpu = call.at, self.bot.cpu_seconds()
                    self.done.set_result(None)

    def finished(self) -> bool:
        """Whether every chat's marker has been answered."""
        return not self.done.done() and all(self.answered[c] >= n for c, n in self.expected.items())


async def drain(spec: BotSpec, workload: Workload, users: list[int], count: int, workdir: Path) -> Drain:
    """Queue `count` updates and one end marker per chat on a fresh fake server, start the bot, time it
    until every marker is answered, stop it."""
    async with FakeBotApi() as api:
        register_users(api, [*users, MARKER])
        api.group(GROUP_ID, "Backlog team")
        people = itertools.cycle(users)
        expected: Counter[int] = Counter()
        for _ in range(count):
            user = next(people)
            chat = GROUP_ID if workload.in_group else user
            text = workload.text()
            api.message(chat, user, text)
            expected[chat] += text == WHOAMI
        for chat in {GROUP_ID} if workload.in_group else set(users):
            api.message(chat, MARKER if workload.in_group else chat, WHOAMI)
            expected[chat] += 1
        window = Window(api, expected)
        window.bot = bot = await spawn(spec, api, workdir)
        try:
            await bot.until_exit(window.done, DRAIN_TIMEOUT, "the answers to the end markers")
        finally:
            await bot.stop()
        seconds, cpu = window.end - window.start, window.end_cpu - window.start_cpu
        return Drain(count + len(expected), seconds, cpu, window.replies)


async def prepare(spec: BotSpec, users: list[int], workdir: Path) -> None:
    """Migrate the database, meet every user once and register the team group, then stop."""
    async with FakeBotApi() as api:
        register_users(api, [*users, MARKER])
        api.group(GROUP_ID, "Backlog team")
        api.add_member(GROUP_ID, users[0], "creator")
        api.set_bot_rights(GROUP_ID, admin=True)
        tracker = ReplyTracker(api)
        futures = [tracker.send(user, "/whoami") for user in [*users, MARKER]]
        api.message(GROUP_ID, users[0], "/setup team")
        bot = await spawn(spec, api, workdir)
        try:
            await bot.until_exit(asyncio.gather(*futures), SETUP_TIMEOUT, "set-up replies")
            deadline = time.monotonic() + 10
            while not [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == GROUP_ID]:
                if time.monotonic() > deadline:
                    raise RuntimeError("the team group was not registered")
                await asyncio.sleep(0.05)
            answer = [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == GROUP_ID][-1]
            log(f"  group set-up answered: {str(answer.params.get('text', ''))[:80]!r}")
        finally:
            await bot.stop()


# ---------------------------------------------------------------------- the run


def specs(workdir: Path, users: list[int], workload: str) -> tuple[BotSpec, BotSpec]:
    """kefu-bot with production settings, and the bare bot (ignoring chatter like kefu-bot does)."""
    env = production_env(workdir / "backlog.sqlite3", users)
    bare = echo_bot()
    if workload == "chatter":
        bare = BotSpec(bare.name, bare.argv, {"ECHO_COMMANDS_ONLY": "1"})
    return kefu_bot(env), bare


def contenders(workdir: Path, users: list[int], workload: str, before: Path | None) -> dict[str, BotSpec]:
    """The bots taking turns: kefu-bot, kefu-bot from another checkout (--before), the bare bot."""
    kefu, bare = specs(workdir, users, workload)
    bots = {"kefu": kefu}
    if before is not None:
        bots["before"] = BotSpec("kefu-before", kefu.argv, {**kefu.env, "PYTHONPATH": str(before)})
    bots["bare"] = bare
    return bots


async def run(args: argparse.Namespace) -> dict[str, dict[str, list[Drain]]]:
    """Every workload: prepare once, then the bots in turn, --rounds each."""
    users = [FIRST_USER_ID + i for i in range(args.users)]
    results: dict[str, dict[str, list[Drain]]] = {}
    with tempfile.TemporaryDirectory(prefix="kefu-backlog-") as tmp:
        workdir = Path(tmp)
        kefu, _ = specs(workdir, users, "light")
        log("preparing kefu-bot's database (migrations, users, team group)")
        await prepare(kefu, users, workdir)
        for name in args.workloads:
            bots = contenders(workdir, users, name, args.before)
            workload = Workload(name)
            results[name] = {who: [] for who in bots}
            for number in range(1, args.rounds + 1):
                for who, spec in bots.items():
                    count = args.chatter_updates if workload.in_group else args.updates
                    result = await drain(spec, workload, users, count, workdir)
                    results[name][who].append(result)
                    log(
                        f"  {name} round {number}/{args.rounds} {who}: {result.rate:.0f} updates/s, "
                        f"{result.cpu_ms:.2f} CPU ms/update; replies {result.replies.most_common(3)}"
                    )
    return results


def report(results: dict[str, dict[str, list[Drain]]], args: argparse.Namespace) -> str:
    """The table as pasted into docs/benchmarks.md: per bot its best rate, its ratio to the bare bot (best to
    best, and the range over rounds against the bare round that followed) and its lowest CPU per update."""
    lines = [
        f"Backlog of {args.updates} commands or {args.chatter_updates} chatter messages from {args.users} "
        f"people, best of {args.rounds} "
        f"(kefu-bot BOT_RATE_LIMIT=true, SQLite WAL). Machine: {machine()}",
        "",
        "| workload | bot | updates/s (best) | ratio to bare (best) | ratio range | CPU ms/update |",
        "|---|---|---|---|---|---|",
    ]
    for name, by_bot in results.items():
        bare = by_bot["bare"]
        best_bare = max(d.rate for d in bare)
        for who, drains in by_bot.items():
            best = max(d.rate for d in drains)
            ratios = [d.rate / b.rate for d, b in zip(drains, bare, strict=True)]
            lines.append(
                f"| {name} | {who} | {best:.0f} | {best / best_bare:.2f} | "
                f"{min(ratios):.2f}-{max(ratios):.2f} | {min(d.cpu_ms for d in drains):.2f} |"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------------- profiling


PROFILED_RUN = """
import cProfile, runpy, sys, time
profiler = cProfile.Profile(time.process_time)
out, sys.argv = sys.argv[1], ["bot", "run"]
profiler.enable()
try:
    runpy.run_module("bot", run_name="__main__")
finally:
    profiler.disable()
    profiler.dump_stats(out)
"""
"""`python -m bot run` under cProfile counting CPU time (process_time), not wall time: on a shared machine
time spent preempted would otherwise be charged to whatever function was running."""


async def profile(args: argparse.Namespace) -> str:
    """Drain one backlog with kefu-bot under cProfile; the costliest functions, by own and cumulative time."""
    users = [FIRST_USER_ID + i for i in range(args.users)]
    with tempfile.TemporaryDirectory(prefix="kefu-backlog-") as tmp:
        workdir = Path(tmp)
        kefu, _ = specs(workdir, users, args.profile)
        await prepare(kefu, users, workdir)
        out = workdir / "drain.prof"
        argv = (sys.executable, "-c", PROFILED_RUN, str(out))
        env = {**kefu.env, "PYTHONPATH": str(args.before)} if args.before else dict(kefu.env)
        count = args.chatter_updates if args.profile == "chatter" else args.updates
        result = await drain(
            BotSpec("kefu-profiled", argv, env), Workload(args.profile), users, count, workdir
        )
        log(f"  profiled drain: {result.rate:.0f} updates/s under cProfile")
        if args.save_profile:
            args.save_profile.write_bytes(out.read_bytes())
        return profile_text(out, args.top)


def profile_text(path: Path, top: int) -> str:
    """Top functions by own time, by cumulative time, and ours (bot/, handlers/, jobs/) by cumulative time;
    start-up is included, so use a large backlog."""
    sink = io.StringIO()
    stats = pstats.Stats(str(path), stream=sink)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("cumulative").print_stats(f"{REPO}/(bot|handlers|jobs)/", top)
    return sink.getvalue().replace(f"{REPO}/", "").replace(sys.prefix, "<venv>")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--chatter-updates", type=int, default=3000, help="chatter is cheap: more of it")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", type=lambda s: s.split(","), default=["light", "records", "chatter"])
    parser.add_argument("--before", type=Path, help="also run kefu-bot from this checkout, in turn")
    parser.add_argument("--profile", choices=WORKLOADS)
    parser.add_argument("--save-profile", type=Path, help="keep the profile (pstats file) here")
    parser.add_argument("--top", type=int, default=30)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run and print the report."""
    args = parse(argv)
    if args.profile:
        print(asyncio.run(profile(args)))
        return 0
    print(report(asyncio.run(run(args)), args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
