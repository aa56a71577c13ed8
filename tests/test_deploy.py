"""Beyond one process: instances as real `python -m bot run` processes against the fake Bot API and the
machine's PostgreSQL (CI=true makes a missing PostgreSQL a failure). One leader polls and schedules; a standby
takes over
after a SIGKILL; roles granted on one instance hold on the other at once; webhook calls need the secret and an
update delivered twice is handled once; a second process on one SQLite file refuses to start; /healthz."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.instances import Instance, Proxy, instance, kill, launch
from bot import db
from bot.fakeapi import FakeBotApi
from bot.models import HandledUpdate
from tests.conftest import PG_SCHEMA, PG_SERVER, _reset_postgres
from tests.test_alarms_restart import REPEAT, alarm_posts, create, first_line

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL and fcntl")

ALICE, BOB, CAROL = 101, 102, 103
TEAM = -1001001
GROUPS = [-1003001, -1003002, -1003003, -1003004]
ALARMS = 24
LEAD_TIME = timedelta(seconds=15)
"""From seeding to the burst: both instances are up by then (they start together)."""
KILL_AFTER = 8
FAILOVER_LIMIT = 15.0


@pytest.fixture
async def pg_url() -> str:
    """An empty schema on the machine's PostgreSQL; skipped locally when absent, fatal on CI."""
    problem = await _reset_postgres()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return f"{PG_SERVER}?schema={PG_SCHEMA}"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API with the people and groups of these tests."""
    async with FakeBotApi() as server:
        for user, name in ((ALICE, "alice"), (BOB, "bob"), (CAROL, "carol")):
            server.user(user, name.title(), name)
        server.group(TEAM, "Kefu team")
        for n, group in enumerate(GROUPS, 1):
            server.group(group, f"Shop {n}")
        yield server


async def seed_burst(url: str, first: datetime) -> None:
    """ALARMS one-off alarms falling due over 3 seconds from `first`, across the groups."""
    await db.open_db(url)
    try:
        for i in range(ALARMS):
            due = first + timedelta(seconds=i % 3)
            await create(f"alarm {i}", GROUPS[i % len(GROUPS)], due, datetime.now(UTC))
    finally:
        await db.close_db()


async def role_is(member: Instance, role: str) -> bool:
    """Whether /healthz reports this role."""
    return await member.role() == role


def conflicts(api: FakeBotApi) -> int:
    """getUpdates calls Telegram refused because another poller was active."""
    return sum(1 for call in api.calls_to("getUpdates") if call.status == 409)


async def test_standby_takes_over_after_kill_and_old_leader_comes_back_as_standby(
    pg_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    await seed_burst(pg_url, datetime.now(UTC) + LEAD_TIME)
    api.latency = 0.05  # a burst takes a moment, so the kill lands in its middle
    async with instance("a", api, pg_url, tmp_path) as a, instance("b", api, pg_url, tmp_path) as b:
        await a.until(lambda: a.health(), "a to answer")
        await b.until(lambda: b.health(), "b to answer")
        await a.until(lambda: leader_and_standby(a, b), "one leader and one standby")
        leader, standby = (a, b) if await a.role() == "leader" else (b, a)
        killed: list[float] = []

        def kill_mid_burst(_call: object) -> None:
            """SIGKILL the leader once Telegram has accepted KILL_AFTER alarms."""
            if not killed and len(alarm_posts(api)) >= KILL_AFTER:
                os.kill(leader.process.pid, signal.SIGKILL)
                killed.append(time.monotonic())

        api.on_call = kill_mid_burst
        await standby.until(lambda: bool(killed), "the burst")
        api.on_call = None
        assert conflicts(api) == 0  # only the leader polled
        assert await asyncio.wait_for(leader.process.wait(), 5) == -signal.SIGKILL
        polls = len(api.calls_to("getUpdates"))
        await standby.until(lambda: role_is(standby, "leader"), "the standby to lead", FAILOVER_LIMIT)
        leading = time.monotonic() - killed[0]
        await standby.until(lambda: len(api.calls_to("getUpdates")) > polls, "the new leader to poll")
        polling = time.monotonic() - killed[0]
        wanted = {f"alarm {i}" for i in range(ALARMS)}
        await standby.until(lambda: {first_line(t) for t in alarm_posts(api)} >= wanted, "every alarm")
        since = len(api.calls)
        api.message(GROUPS[0], ALICE, "/alarms")
        reply = await api.wait_for(
            "sendMessage", lambda call: call.params.get("chat_id") == GROUPS[0], timeout=10, after=since
        )
        assert str(reply.params["text"]).startswith("No alarms in this chat")
        refused = conflicts(api)  # the dead leader's last long poll, ended by the new leader's, counts once
        async with instance("again", api, pg_url, tmp_path) as again:
            await again.until(lambda: role_is(again, "standby"), "the old leader to stand by")
            assert await standby.role() == "leader"
        assert "Traceback" not in standby.output()
        assert refused <= 1 and conflicts(api) == refused  # the old leader, back, did not poll
    counts = Counter(first_line(text) for text in alarm_posts(api))
    duplicates = {text: n for text, n in counts.items() if n > 1}
    print(f"\nleader after {leading:.1f} s, polling after {polling:.1f} s; posted twice: {duplicates}")
    assert polling < FAILOVER_LIMIT
    assert set(counts) == wanted
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values()), duplicates
    for alarm in duplicates:  # the repeat says so
        assert [t.endswith(REPEAT) for t in alarm_posts(api) if first_line(t) == alarm] == [False, True]


async def leader_and_standby(a: Instance, b: Instance) -> bool:
    """Whether exactly one of the two leads."""
    return sorted([str(await a.role()), str(await b.role())]) == ["leader", "standby"]


async def test_webhook_secret_dedupe_and_roles_across_instances(
    pg_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    async with (
        instance("a", api, pg_url, tmp_path, webhook=True) as a,
        instance("b", api, pg_url, tmp_path, webhook=True) as b,
    ):
        await a.until(lambda: a.post({"update_id": 1}, secret="wrong"), "a's webhook to answer")
        await b.until(lambda: b.post({"update_id": 1}, secret="wrong"), "b's webhook to answer")
        await a.until(lambda: api.calls_to("setWebhook"), "the leader to set the webhook")
        [hook] = api.calls_to("setWebhook")
        assert hook.params["url"] == "https://bot.example/hook" and hook.params["secret_token"]

        hello = api.message(TEAM, CAROL, "/whoami")
        sent = len(api.calls_to("sendMessage"))
        assert await a.post(hello, secret=None) == 403
        assert await b.post(hello, secret="wrong") == 403
        await asyncio.sleep(0.3)
        assert len(api.calls_to("sendMessage")) == sent  # refused: nothing handled, nothing stored
        await db.open_db(pg_url)
        try:
            assert await HandledUpdate.all().count() == 0
        finally:
            await db.close_db()

        assert await a.post(hello) == 200
        assert await b.post(hello) == 200  # the same update again, through the other instance
        assert await a.post(hello) == 200
        await asyncio.sleep(0.3)
        answers = [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == TEAM][-3:]
        assert sum("carol" in str(c.params.get("text", "")).lower() for c in answers) == 1, answers

        async def say(member: Instance, user: int, text: str) -> str:
            """Deliver a message through one instance; the bot's answer in the team chat."""
            since = len(api.calls)
            assert await member.post(api.message(TEAM, user, text)) == 200
            call = await api.wait_for(
                "sendMessage", lambda c: c.params.get("chat_id") == TEAM, timeout=5, after=since
            )
            return str(call.params.get("text", ""))

        assert "this needs the role: supervisor, manager" in await say(b, BOB, "/role @carol presale")
        assert "@bob is now supervisor" in await say(a, ALICE, "/role @bob supervisor")
        granted = time.monotonic()
        assert "@carol is now pre-sales" in await say(b, BOB, "/role @carol presale")
        assert time.monotonic() - granted < 1.0

        leader, standby = (a, b) if await a.role() == "leader" else (b, a)
        assert "Alarm #1 set" in await say(standby, ALICE, "/shelf in 5m change the listings")
        await leader.until(lambda: 'Added job "schedule:' in leader.output(), "the leader to arm it", 10)
        assert 'Added job "schedule:' not in standby.output()  # standbys never run timers


async def test_second_process_on_one_sqlite_file_refuses_to_start(api: FakeBotApi, tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/kefu.sqlite3"
    async with instance("first", api, url, tmp_path) as first:
        await first.until(lambda: role_is(first, "leader"), "the first process to serve")
        async with instance("second", api, url, tmp_path) as second:
            code = await asyncio.wait_for(second.process.wait(), 20)
            message = second.output()
        assert first.process.returncode is None
    assert code == 3
    assert f"Another kefu-bot process (pid {first.process.pid}) is already running" in message
    assert "Traceback" not in message


async def test_healthz_per_role_and_503_when_the_database_stops(
    pg_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    server = urlsplit(pg_url)
    proxy = Proxy(server.hostname or "127.0.0.1", server.port or 5432)
    await proxy.start()
    proxied = pg_url.replace(f"{server.hostname}:{server.port}", f"127.0.0.1:{proxy.port}")
    b: Instance | None = None
    try:
        async with instance("a", api, proxied, tmp_path) as a:
            await a.until(lambda: role_is(a, "leader"), "a to lead")
            b = await launch("b", api, pg_url, tmp_path)
            await b.until(lambda: role_is(b, "standby"), "b to stand by")
            status, body = await a.health()
            assert status == 200 and body["database"] == "ok" and body["mode"] == "polling"
            status, body = await b.health()
            assert status == 200 and body == {
                "role": "standby", "database": "ok", "mode": "polling", "last_update_s": None
            }  # fmt: skip
            await proxy.stop()  # a's database is gone; b's is not
            await a.until(lambda: _down(a), "a to report the database down")
            status, body = await a.health()
            assert status == 503 and body["database"] == "down" and body["role"] == "standby"
            await b.until(lambda: role_is(b, "leader"), "b to take over")
            assert "no longer the leader" in a.output()
    finally:
        await proxy.stop()
        if b is not None:
            await kill(b)


async def _down(member: Instance) -> bool:
    """Whether /healthz says 503 with the database down."""
    status, body = await member.health()
    return status == 503 and body.get("database") == "down"
