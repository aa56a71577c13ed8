"""The crash test: the real bot process posts a burst of alarms, dies by SIGKILL in the middle of it, is started
again on the same database, and every alarm ends up posted exactly once (bar the one unavoidable duplicate:
a message Telegram accepted just before the bot died, before it could record that)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import db
from bot.fakeapi import FakeBotApi
from bot.fakeapi.server import ApiCall
from bot.models import Occurrence, Schedule
from bot.services import chats, people, rules, schedules, timespec

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE = 101
GROUPS = [-1002001, -1002002, -1002003, -1002004, -1002005, -1002006]
ALARMS = 60
KILL_AFTER = 15
"""Alarm messages Telegram has accepted when the first process is killed."""
LEAD_TIME = timedelta(seconds=4)
"""From seeding to the first alarm: the bot is started and polling by then."""
SPREAD = 3
"""The alarms fall due on this many consecutive seconds, as alarms set for the same minute in many chats do."""
LATE = timedelta(minutes=2, seconds=30)
STALE = timedelta(minutes=30)
BUDGET = 25.0
"""The whole test, in seconds; every wait below is bounded by it."""
SETTINGS_VARIABLES = ("BOT_", "DATABASE_URL", "TELEGRAM_API_BASE_URL")


def alarm_text(i: int) -> str:
    """What alarm `i` is for."""
    return f"alarm {i}"


def alarm_posts(api: FakeBotApi) -> list[str]:
    """The text of every alarm (⏰) message Telegram accepted, in order, duplicates included."""
    return [
        str(call.params.get("text", ""))
        for call in api.calls_to("sendMessage")
        if call.status == 200 and str(call.params.get("text", "")).startswith("⏰ ")
    ]


def first_line(text: str) -> str:
    """An alarm without its "late by" line: what it is for."""
    return text.removeprefix("⏰ ").split("\n", 1)[0]


async def seed(url: str, now: datetime) -> None:
    """The alarms as /shelf would have stored them, plus one due a little while ago and one long ago."""
    people.forget_cache()
    chats.forget_cache()
    rules.forget_cache()
    await db.open_db(url)
    try:
        first = now + LEAD_TIME
        for i in range(ALARMS):
            await create(alarm_text(i), GROUPS[i % len(GROUPS)], first + timedelta(seconds=i % SPREAD), now)
        await create("overdue", GROUPS[0], now - LATE, now - timedelta(hours=1))
        await create("stale", GROUPS[1], now - STALE, now - timedelta(hours=1))
    finally:
        await db.close_db()


async def create(text: str, chat: int, due: datetime, now: datetime) -> Schedule:
    """One one-off alarm, no heads-up, no escalation."""
    return await schedules.create(
        kind="shelf",
        chat_id=chat,
        owner_id=ALICE,
        parsed=timespec.Parsed(timespec.Once(due), text=text, lead=None),
        zone=SHANGHAI,
        now=now,
        escalate_minutes=None,
    )


async def stored_alarms(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """Each alarm's schedule state and its alarm posting's state, as the database has them."""
    await db.open_db(url)
    try:
        found = await Schedule.all()
        postings = await Occurrence.filter(kind=schedules.ALARM).prefetch_related("schedule")
        return {s.text: s.state for s in found}, {o.schedule.text: o.state for o in postings}
    finally:
        await db.close_db()


def bot_env(api: FakeBotApi, url: str) -> dict[str, str]:
    """This environment without the bot's own settings, plus the ones for this run."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(SETTINGS_VARIABLES)}
    return env | {
        "BOT_TOKEN": "123:ABC",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": url,
        "BOT_RATE_LIMIT": "true",
        "BOT_OWNER_IDS": str(ALICE),
        "PYTHONPATH": str(ROOT),
        "PYTHONUTF8": "1",
    }


@asynccontextmanager
async def bot_process(api: FakeBotApi, url: str, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run` against the fake server; killed on the way out whatever happened."""
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=log.parent,
            env=bot_env(api, url),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def until(condition: Callable[[], bool], deadline: float, what: str, log: Path) -> None:
    """Wait (bounded) until `condition` holds; on timeout say what and show the bot's log."""
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise AssertionError(f"timed out waiting for {what}; bot log:\n{tail}")
        await asyncio.sleep(0.02)


async def stop(process: asyncio.subprocess.Process, deadline: float) -> int:
    """Ask the bot to stop as an operator would (SIGTERM) and wait for it to exit."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), max(0.1, deadline - time.monotonic()))


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
async def test_a_crash_mid_burst_posts_every_alarm_once(tmp_path: Path) -> None:
    deadline = time.monotonic() + BUDGET
    url = f"sqlite://{tmp_path}/kefu.sqlite3"
    await seed(url, datetime.now(UTC))
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    async with FakeBotApi() as api:
        api.user(ALICE, "Alice", "alice")
        for n, group in enumerate(GROUPS, 1):
            api.group(group, f"Shop {n}")
        api.latency = 0.05

        async with bot_process(api, url, first_log) as first:
            killed_at: list[int] = []

            def kill_mid_burst(call: ApiCall) -> None:
                """Kill the bot the moment Telegram has accepted KILL_AFTER alarms of the burst."""
                burst = [text for text in alarm_posts(api) if text.startswith("⏰ alarm ")]
                if not killed_at and len(burst) >= KILL_AFTER:
                    os.kill(first.pid, signal.SIGKILL)
                    killed_at.append(len(burst))

            api.on_call = kill_mid_burst
            await until(lambda: bool(killed_at), deadline, f"{KILL_AFTER} alarms from the first bot", first_log)
            assert await asyncio.wait_for(first.wait(), 5) == -signal.SIGKILL
            api.on_call = None
        polls_before = len(api.calls_to("getUpdates"))
        # both earlier alarms were handled at start, before the burst
        assert any(text.startswith("⏰ overdue") for text in alarm_posts(api))

        async with bot_process(api, url, second_log) as second:
            await until(
                lambda: len({first_line(t) for t in alarm_posts(api)}) == ALARMS + 1,
                deadline,
                "every alarm to be posted after the restart",
                second_log,
            )
            await until(
                lambda: len(api.calls_to("getUpdates")) > polls_before,
                deadline,
                "the second bot to poll",
                second_log,
            )
            since = len(api.calls)
            api.message(GROUPS[0], ALICE, "/alarms")
            reply = await api.wait_for(
                "sendMessage",
                lambda call: call.params.get("chat_id") == GROUPS[0],
                timeout=max(0.1, deadline - time.monotonic()),
                after=since,
            )
            assert "No alarms in this chat" in str(reply.params.get("text"))  # none pending, none lost
            assert await stop(second, deadline) == 0

        posts = alarm_posts(api)
        counts = Counter(first_line(text) for text in posts)
        duplicates = {text: n for text, n in counts.items() if n > 1}
        print(f"\nkilled after {killed_at[0]} alarms; duplicates: {duplicates}")
        summaries = [m["text"] for m in api.sent() if "While I was offline" in m.get("text", "")]

    assert set(counts) == {alarm_text(i) for i in range(ALARMS)} | {"overdue"}  # "stale" only summarised
    assert len(summaries) == 1 and "stale" in summaries[0] and "1 alarm" in summaries[0]
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values()), duplicates
    for text in posts:
        late = text.split("\n", 1)[1] if "\n" in text else ""
        if text.startswith("⏰ overdue"):
            assert late == "(late by 2 min: I was offline)"
        else:
            assert late == "", text  # seconds late is on time: never "late by 0 min"
    states, postings = await stored_alarms(url)
    assert set(states.values()) == {schedules.DONE}
    assert postings == {text: schedules.SENT for text in counts} | {"stale": schedules.MISSED}
