"""Group-limit benchmark (not a test): 30 people logging records in one team group, beyond Telegram's 20
messages a minute per group.

    python bench/group_limit.py [--minutes 5] [--people 30] [--per-minute 1.5] [--never-started 6]
    python bench/group_limit.py --before /path/to/older/checkout --minutes 2   # the same load, older code

kefu-bot runs as deployed (`python -m bot run`, BOT_RATE_LIMIT=true, SQLite) against an in-process FakeBotApi
that enforces Telegram's limits (`enforce_limits()`: 429 beyond 20 messages a minute per group and 30 a
second overall). Each person logs a new /refund or /courier in the group at random moments (Poisson, on
average --per-minute each), for --minutes; --never-started of them never pressed Start in a private chat
with the bot (the server answers 403 there). Then the run waits up to --drain seconds for what the group
still owes.

For every command the wait is measured from injecting it to the first visible acknowledgement: a reaction
on it, the bot's group message quoting it, or a message in the person's private chat. Also reported: 429s
the server answered, messages the group got per rolling minute, and whether every card owed to the group
(people who never started the bot) arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/group_limit.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BotSpec, LatencyStats, kefu_bot, machine, production_env, register_users, spawn
from bot.fakeapi import ApiCall, FakeBotApi

FIRST_USER_ID = 7_300_001
GROUP_ID = -100_777_300
ORDER_BASE = 620_000_000_000_000_000
TRACKING_BASE = 890_000_000
STARTUP_TIMEOUT = 60.0
GROUP_SENDS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto"})


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Command:
    """One command typed in the group."""

    user: int
    message_id: int
    at: float


@dataclass(frozen=True)
class Acks:
    """Visible acknowledgements found among the server's calls."""

    reactions: dict[int, tuple[float, str]]
    quotes: dict[int, float]
    private: dict[int, list[float]]


def plan(args: argparse.Namespace, users: list[int]) -> list[tuple[float, int]]:
    """When each person types a command: Poisson arrivals, --per-minute each on average, seeded."""
    rng = random.Random(args.seed)
    seconds = args.minutes * 60
    moments: list[tuple[float, int]] = []
    for user in users:
        at = rng.expovariate(args.per_minute / 60)
        while at < seconds:
            moments.append((at, user))
            at += rng.expovariate(args.per_minute / 60)
    return sorted(moments)


def text(n: int) -> str:
    """A refund or a courier query, every number new."""
    if n % 2 == 0:
        return f"/refund {ORDER_BASE + n} 12.5 damaged buyer=tb_{n % 500} postage=shop"
    return f"/courier SF{TRACKING_BASE + n} overdue"


def acks(calls: list[ApiCall]) -> Acks:
    """Index the accepted reactions, group quotes and private messages by message or person."""
    reactions: dict[int, tuple[float, str]] = {}
    quotes: dict[int, float] = {}
    private: defaultdict[int, list[float]] = defaultdict(list)
    for call in calls:
        if call.status != 200:
            continue
        chat = call.params.get("chat_id")
        if call.method == "setMessageReaction" and chat == GROUP_ID:
            emoji = str(call.params["reaction"][0]["emoji"]) if call.params.get("reaction") else ""
            reactions.setdefault(int(call.params["message_id"]), (call.at, emoji))
        elif call.method == "sendMessage" and chat == GROUP_ID and isinstance(call.result, dict):
            quoted = (call.result.get("reply_to_message") or {}).get("message_id")
            if quoted is not None:
                quotes.setdefault(int(quoted), call.at)
        elif call.method == "sendMessage" and isinstance(chat, int) and chat > 0:
            private[chat].append(call.at)
    return Acks(reactions, quotes, dict(private))


def waits(commands: list[Command], found: Acks, end: float) -> tuple[list[float], Counter[str]]:
    """Seconds from each command to its first acknowledgement (unacknowledged: until `end`), and how each was
    acknowledged first. A private message counts for a person's command when it came before their next one."""
    following: dict[Command, float] = {}
    by_user: defaultdict[int, list[Command]] = defaultdict(list)
    for command in sorted(commands, key=lambda c: c.at):
        by_user[command.user].append(command)
    for mine in by_user.values():
        for command, after in zip(mine, [*mine[1:], None], strict=True):
            following[command] = after.at if after is not None else math.inf
    out: list[float] = []
    kinds: Counter[str] = Counter()
    for command in sorted(commands, key=lambda c: c.at):
        options: list[tuple[float, str]] = []
        if command.message_id in found.reactions:
            at, emoji = found.reactions[command.message_id]
            options.append((at, f"reaction {emoji}"))
        if command.message_id in found.quotes:
            options.append((found.quotes[command.message_id], "group reply"))
        private = [at for at in found.private.get(command.user, []) if command.at <= at < following[command]]
        if private:
            options.append((private[0], "private reply"))
        if not options:
            out.append(end - command.at)
            kinds["none"] += 1
            continue
        at, kind = min(options)
        out.append(at - command.at)
        kinds[kind] += 1
    return out, kinds


def group_per_minute(calls: list[ApiCall], start: float, end: float) -> tuple[int, list[int]]:
    """The most messages (sends and edits) the group got in any rolling minute, and minute by minute from
    `start` to `end`."""
    stamps = sorted(
        c.at
        for c in calls
        if c.method in GROUP_SENDS and c.status == 200 and c.params.get("chat_id") == GROUP_ID
    )
    most = max((sum(1 for s in stamps[i:] if s < first + 60) for i, first in enumerate(stamps)), default=0)
    minutes = max(1, math.ceil((end - start) / 60))
    counts = [sum(1 for s in stamps if start + 60 * m <= s < start + 60 * (m + 1)) for m in range(minutes)]
    return most, counts


async def wait_for_start(api: FakeBotApi, timeout: float) -> None:  # noqa: ASYNC109
    """Until the bot's first getUpdates."""
    deadline = time.monotonic() + timeout
    while not api.calls_to("getUpdates"):
        if time.monotonic() > deadline:
            raise RuntimeError("the bot did not start polling")
        await asyncio.sleep(0.05)


async def wait_for_quotes(api: FakeBotApi, owed: set[int], seconds: float) -> None:
    """Until the group got a message quoting each of `owed`, or `seconds` passed."""
    for _ in range(int(seconds * 2)):
        if owed <= set(acks(api.calls).quotes):
            return
        await asyncio.sleep(0.5)


async def run(args: argparse.Namespace) -> str:
    """Start the bot, play the plan, wait for the group's backlog, analyse."""
    users = [FIRST_USER_ID + i for i in range(args.people)]
    never = set(users[len(users) - args.never_started :]) if args.never_started else set()
    moments = plan(args, users)
    with tempfile.TemporaryDirectory(prefix="kefu-group-") as tmp:
        workdir = Path(tmp)
        env = production_env(workdir / "group.sqlite3", users)
        spec = kefu_bot(env)
        if args.before is not None:
            spec = BotSpec("kefu-before", spec.argv, {**env, "PYTHONPATH": str(args.before)})
        async with FakeBotApi() as api:
            register_users(api, users)
            api.group(GROUP_ID, "Kefu team")
            for user in never:
                api.block(user)
            api.enforce_limits()
            bot = await spawn(spec, api, workdir)
            try:
                await wait_for_start(api, STARTUP_TIMEOUT)
                log(f"{spec.name} polling; {len(moments)} commands over {args.minutes:g} min")
                commands: list[Command] = []
                start = time.monotonic()
                for n, (offset, user) in enumerate(moments):
                    await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
                    update = api.message(GROUP_ID, user, text(n))
                    commands.append(Command(user, int(update["message"]["message_id"]), time.monotonic()))
                    if n % 50 == 0:
                        log(f"  {n} commands sent")
                end = time.monotonic()
                owed = {c.message_id for c in commands if c.user in never}
                await wait_for_quotes(api, owed, args.drain)
                drained = time.monotonic()
            finally:
                await bot.stop()
            found = acks(api.calls)
            samples, kinds = waits(commands, found, drained)
            stats = LatencyStats.of(samples)
            most, minutes = group_per_minute(api.calls, start, drained)
            refused = sum(1 for c in api.calls if c.status == 429)
            delivered = len(owed & set(found.quotes))
            return report(
                args,
                spec,
                commands,
                stats,
                kinds,
                refused,
                api.limit_violations,
                most,
                minutes,
                delivered,
                len(owed),
                drained - end,
            )


def report(
    args: argparse.Namespace,
    spec: BotSpec,
    commands: list[Command],
    stats: LatencyStats,
    kinds: Counter[str],
    refused: int,
    violations: int,
    most: int,
    minutes: list[int],
    delivered: int,
    owed: int,
    drain_seconds: float,
) -> str:
    """The figures as pasted into docs/benchmarks.md."""
    verdict = "PASS" if stats.max < 3 and refused == 0 and most <= 20 else "MISS"
    lines = [
        f"kefu-bot group-limit benchmark, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC ({spec.name})",
        f"machine: {machine()}",
        f"load: {args.people} people ({args.never_started} never started the bot) in one group, "
        f"{args.per_minute:g} record commands a minute each for {args.minutes:g} min: "
        f"{len(commands)} commands",
        "",
        "figure                                         value      target",
        "---------------------------------------------  ---------  ---------",
        f"wait to first acknowledgement p50 (s)          {stats.p50:9.3f}",
        f"wait to first acknowledgement p99 (s)          {stats.p99:9.3f}",
        f"wait to first acknowledgement max (s)          {stats.max:9.3f}  < 3  {verdict}",
        f"429 answers from the server                    {refused:9d}  0",
        f"group messages in any rolling minute (most)    {most:9d}  <= 20",
        "group messages minute by minute (load, then backlog): " + ", ".join(map(str, minutes)),
        f"cards owed to the group (never started) / got  {owed:4d} / {delivered:<3d}  equal",
        f"  after the load, waited for them (s)          {drain_seconds:9.1f}",
        "first acknowledgement by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()),
        f"limit violations counted by the server: {violations}",
    ]
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--per-minute", type=float, default=1.5, help="commands a minute per person")
    parser.add_argument("--never-started", type=int, default=6)
    parser.add_argument("--drain", type=float, default=240.0, help="seconds to wait for the group's backlog")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--before", type=Path, help="run kefu-bot from this checkout instead")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run and print the report."""
    print(asyncio.run(run(parse(argv))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
