"""Failover and webhook throughput (not a test), on the machine's PostgreSQL and the in-process fake Bot API.

    python bench/failover.py [--kills 10] [--seconds 10] [--clients 16]

1. Failover: two instances in polling mode; the leader is SIGKILLed --kills times (the killed one is
   started again as the standby each time). For each kill: seconds until the standby reports itself leader
   on /healthz, and until its first getUpdates reaches Telegram. Prints median and max.
2. Webhook: --clients concurrent senders deliver /whoami updates to the instances' webhooks (round robin)
   for --seconds, each waiting for the HTTP answer, which comes once the update was handled and the reply
   sent. Commands/s with one instance, then with two (BOT_RATE_LIMIT=false: Telegram's limits are not
   measured).
Uses its own schema (kefu_bench_failover) on TEST_POSTGRES_URL, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

import aiohttp
import asyncpg

if __package__ in (None, ""):  # run as `python bench/failover.py`: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.instances import SECRET, Instance, kill, launch
from bot.fakeapi import FakeBotApi

SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
SCHEMA = "kefu_bench_failover"
STARTUP = 90.0
USERS = range(7001, 7065)


async def reset_schema(drop_only: bool = False) -> None:
    """An empty schema for the benchmark (or none, at the end)."""
    conn = await asyncpg.connect(SERVER.replace("postgres://", "postgresql://"), timeout=5)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        if not drop_only:
            await conn.execute(f"CREATE SCHEMA {SCHEMA}")
    finally:
        await conn.close()


async def wait_until(condition: Callable[[], Awaitable[bool]], timeout: float) -> None:  # noqa: ASYNC109
    """Poll an async condition every 20 ms until it holds (the processes tell nothing otherwise);
    TimeoutError after `timeout`."""
    async with asyncio.timeout(timeout):
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def failover(api: FakeBotApi, url: str, folder: Path, kills: int) -> tuple[list[float], list[float]]:
    """Kill the leader `kills` times; seconds to a new leader and to its first poll, per kill."""
    members = [await launch(f"f{n}", api, url, folder, LEADER_CHECK_SECONDS="2") for n in range(2)]
    to_leader: list[float] = []
    to_poll: list[float] = []
    try:
        for member in members:
            await wait_until(partial(_answers, member), STARTUP)
        for round_ in range(kills):
            await wait_until(lambda: _one_leader(members), STARTUP)
            roles = [await m.role() for m in members]
            leader = members[roles.index("leader")]
            standby = members[1 - roles.index("leader")]
            polls = len(api.calls_to("getUpdates"))
            os.kill(leader.process.pid, signal.SIGKILL)
            killed = time.monotonic()
            await leader.process.wait()
            await wait_until(partial(_leads, standby), 30)
            to_leader.append(time.monotonic() - killed)
            await wait_until(partial(_polled_since, api, polls), 30)
            to_poll.append(time.monotonic() - killed)
            print(f"kill {round_ + 1}: leader after {to_leader[-1]:.2f} s, polling after {to_poll[-1]:.2f} s")
            fresh = await launch(f"f{round_ + 2}", api, url, folder, LEADER_CHECK_SECONDS="2")
            members[members.index(leader)] = fresh
            await wait_until(partial(_answers, fresh), STARTUP)
    finally:
        for member in members:
            await kill(member)
    return to_leader, to_poll


async def _answers(member: Instance) -> bool:
    """Whether /healthz answers at all."""
    return (await member.health())[0] != 0


async def _leads(member: Instance) -> bool:
    """Whether /healthz says leader."""
    return await member.role() == "leader"


async def _one_leader(members: list[Instance]) -> bool:
    """Whether one instance leads and the other stands by."""
    return sorted([str(await m.role()) for m in members]) == ["leader", "standby"]


async def _polled_since(api: FakeBotApi, count: int) -> bool:
    """Whether a getUpdates call arrived after the first `count`."""
    return len(api.calls_to("getUpdates")) > count


async def webhook_rate(
    api: FakeBotApi, url: str, folder: Path, instances: int, seconds: float, clients: int
) -> float:
    """Commands per second handled by `instances` webhook instances under `clients` closed-loop senders."""
    members = [
        await launch(f"w{instances}-{n}", api, url, folder, webhook=True, BOT_RATE_LIMIT="false")
        for n in range(instances)
    ]
    try:
        for member in members:
            await wait_until(partial(_answers, member), STARTUP)
        ports = itertools.cycle([m.webhook_port for m in members])
        done = 0
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        async with aiohttp.ClientSession() as client:

            async def sender(user: int, until: float, counting: bool) -> None:
                """Deliver /whoami from one user, one at a time, until the window closes."""
                nonlocal done
                while time.monotonic() < until:
                    update = api.message(user, user, "/whoami")
                    target = f"http://127.0.0.1:{next(ports)}/hook"
                    async with client.post(target, data=json.dumps(update), headers=headers) as answer:
                        assert answer.status == 200, answer.status
                    done += counting

            users = list(USERS)[:clients]
            await asyncio.gather(*(sender(u, time.monotonic() + 2, False) for u in users))  # warm-up
            started = time.monotonic()
            await asyncio.gather(*(sender(u, started + seconds, True) for u in users))
            return done / (time.monotonic() - started)
    finally:
        for member in members:
            await kill(member)


async def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args()
    url = f"{SERVER}?schema={SCHEMA}"
    await reset_schema()
    try:
        with tempfile.TemporaryDirectory() as folder:
            async with FakeBotApi() as api:
                for user in USERS:
                    api.user(user, f"User{user}", f"user{user}")
                    api.private(user)
                leader, poll = await failover(api, url, Path(folder), options.kills)
                print(
                    f"failover over {len(leader)} kills: new leader median {statistics.median(leader):.2f} s,"
                    f" max {max(leader):.2f} s; polling median {statistics.median(poll):.2f} s,"
                    f" max {max(poll):.2f} s"
                )
                for count in (1, 2):
                    rate = await webhook_rate(api, url, Path(folder), count, options.seconds, options.clients)
                    print(f"webhook, {count} instance(s), {options.clients} clients: {rate:.1f} commands/s")
    finally:
        await reset_schema(drop_only=True)


if __name__ == "__main__":
    asyncio.run(main())
