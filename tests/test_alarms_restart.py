"""Restarts: the real bot process posts a burst of alarms, dies by SIGKILL in the middle of it and is started
again on the same database; every alarm must be posted, none twice (bar the one unavoidable duplicate: a
message Telegram accepted just before the bot died, before it could record that). Also: Telegram being down
while the bot starts must not keep it from starting."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot import db
from bot.app import build_application, serving
from bot.config import Settings
from bot.fakeapi import FakeBotApi
from bot.fakeapi.server import ApiCall
from bot.models import Occurrence, Schedule
from bot.services.scheduling import schedules, shop_calendar
from bot.services.team import chats, people, rules
from bot.services.when import Once, Reading

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE = 101
GROUPS = [-1002001, -1002002, -1002003, -1002004, -1002005, -1002006]
ALARMS = 60
KILL_AFTER = 15
"""Alarm messages of the burst Telegram has accepted when the first process is killed."""
LEAD_TIME = timedelta(seconds=8)
"""From seeding to the first alarm of the burst: the bot is started and polling by then."""
SPREAD = 3
"""The alarms fall due on this many consecutive seconds, like alarms set for the same minute in many chats."""
LATE = timedelta(minutes=2, seconds=30)
"""How overdue the "overdue" alarm is at start: within the grace, so it is posted late."""
STALE = timedelta(minutes=30)
"""How overdue the "stale" alarm is at start: beyond the grace, so it is only listed as missed."""
BUDGET = 40.0
"""The whole scenario, in seconds; every wait is bounded by it."""
SETTINGS_VARIABLES = ("BOT_", "DATABASE_URL", "TELEGRAM_API_BASE_URL")


@dataclass
class Outcome:
    """What people saw and what the database kept, once both bot processes are gone."""

    posts: list[str]
    """Every alarm (⏰) message Telegram accepted, in order, duplicates included."""
    killed_after: int
    burst_by_timers: bool
    """The first bot was polling before the burst fell due, so its timers (not start-up) posted it."""
    summaries: list[str]
    reply: str
    """What the restarted bot answered to /alarms."""
    schedule_states: dict[str, str]
    posting_states: dict[str, str]
    second_log: str

    @property
    def counts(self) -> Counter[str]:
        """How many times each alarm was posted."""
        return Counter(first_line(text) for text in self.posts)


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


async def create(text: str, chat: int, due: datetime, now: datetime) -> Schedule:
    """One one-off alarm as /shelf stores it, no heads-up, no escalation."""
    return await schedules.create(
        kind="shelf",
        chat_id=chat,
        owner_id=ALICE,
        parsed=Reading(Once(due), text),
        zone=SHANGHAI,
        now=now,
        escalate_minutes=None,
    )


async def seed(url: str, now: datetime) -> datetime:
    """The burst of alarms, one overdue within the grace and one long overdue; returns the burst's start."""
    people.forget_cache()
    chats.forget_cache()
    rules.forget_cache()
    shop_calendar.forget_cache()
    await db.open_db(url)
    try:
        first = now + LEAD_TIME
        for i in range(ALARMS):
            await create(alarm_text(i), GROUPS[i % len(GROUPS)], first + timedelta(seconds=i % SPREAD), now)
        await create("overdue", GROUPS[0], now - LATE, now - timedelta(hours=1))
        await create("stale", GROUPS[1], now - STALE, now - timedelta(hours=1))
    finally:
        await db.close_db()
    return first


async def stored_states(url: str) -> tuple[dict[str, str], dict[str, str]]:
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


async def until(
    condition: Callable[[], bool], deadline: float, what: str, process: asyncio.subprocess.Process, log: Path
) -> None:
    """Wait (bounded) until `condition` holds; if the bot exits or time runs out, say so and show its log."""
    while not condition():
        if process.returncode is not None or time.monotonic() > deadline:
            problem = "timed out" if process.returncode is None else f"bot exited ({process.returncode})"
            raise AssertionError(f"{problem} waiting for {what}; bot log:\n{read(log)[-3000:]}")
        await asyncio.sleep(0.02)


def read(log: Path) -> str:
    """A bot's log so far."""
    return log.read_text(encoding="utf-8", errors="replace")


async def crash_and_restart(folder: Path) -> Outcome:
    """Seed, run the bot, SIGKILL it mid-burst, run it again until every alarm is out, stop it."""
    deadline = time.monotonic() + BUDGET
    url = f"sqlite://{folder}/kefu.sqlite3"
    seeded_wall, seeded_clock = datetime.now(UTC), time.monotonic()
    burst = await seed(url, seeded_wall)
    burst_clock = seeded_clock + (burst - seeded_wall).total_seconds()
    first_log, second_log = folder / "first.log", folder / "second.log"
    async with FakeBotApi() as api:
        api.user(ALICE, "Alice", "alice")
        for n, group in enumerate(GROUPS, 1):
            api.group(group, f"Shop {n}")
        api.latency = 0.05  # a burst takes a moment, so the kill lands in the middle of it

        async with bot_process(api, url, first_log) as first:
            killed: list[int] = []

            def kill_mid_burst(call: ApiCall) -> None:
                """SIGKILL the bot the moment Telegram has accepted KILL_AFTER alarms of the burst."""
                posted = [text for text in alarm_posts(api) if text.startswith("⏰ alarm ")]
                if not killed and len(posted) >= KILL_AFTER:
                    os.kill(first.pid, signal.SIGKILL)
                    killed.append(len(posted))

            api.on_call = kill_mid_burst
            await until(lambda: bool(killed), deadline, "the burst", first, first_log)
            api.on_call = None
            assert await asyncio.wait_for(first.wait(), 5) == -signal.SIGKILL
        # the bot starts polling (deleteWebhook first) once start-up, resume() included, is over
        started = api.calls_to("deleteWebhook")
        burst_by_timers = bool(started) and started[0].at < burst_clock

        async with bot_process(api, url, second_log) as second:
            await until(
                lambda: (
                    {first_line(text) for text in alarm_posts(api)} >= set(map(alarm_text, range(ALARMS)))
                ),
                deadline,
                "every alarm to be posted after the restart",
                second,
                second_log,
            )
            await until(
                lambda: len(api.calls_to("deleteWebhook")) > len(started),
                deadline,
                "the restarted bot to poll",
                second,
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
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), max(0.1, deadline - time.monotonic())) == 0
        posts = alarm_posts(api)
        summaries = [str(m.get("text", "")) for m in api.sent() if "While I was offline" in m.get("text", "")]
    schedule_states, posting_states = await stored_states(url)
    return Outcome(
        posts=posts,
        killed_after=killed[0],
        burst_by_timers=burst_by_timers,
        summaries=summaries,
        reply=str(reply.params.get("text", "")),
        schedule_states=schedule_states,
        posting_states=posting_states,
        second_log=read(second_log),
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def crash(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The crash-and-restart scenario, run once for the tests below (about 15 s)."""
    async with asyncio.timeout(BUDGET + 5):
        outcome = await crash_and_restart(tmp_path_factory.mktemp("crash"))
    duplicates = {text: n for text, n in outcome.counts.items() if n > 1}
    print(f"\nkilled after {outcome.killed_after} alarms of the burst; posted twice or more: {duplicates}")
    return outcome


def test_every_alarm_is_posted_after_a_crash(crash: Outcome) -> None:
    assert crash.killed_after == KILL_AFTER
    assert set(crash.counts) == {alarm_text(i) for i in range(ALARMS)} | {"overdue"}  # "stale" only listed


def test_a_crash_mid_burst_posts_at_most_one_alarm_twice(crash: Outcome) -> None:
    if not crash.burst_by_timers:
        pytest.skip("the first bot started after the burst fell due, so start-up posted it one by one")
    duplicates = {text: n for text, n in crash.counts.items() if n > 1}
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values()), duplicates


REPEAT = "\n(sent again: I stopped while sending it, so it may appear twice)"


def test_late_is_said_only_when_a_minute_or_more_late(crash: Outcome) -> None:
    for text in crash.posts:
        text = text.removesuffix(REPEAT)
        late = text.split("\n", 1)[1] if "\n" in text else ""
        if first_line(text) == "overdue":
            assert late == "(late by 2 min: I was offline)"
        else:
            assert late == "", text  # re-posted seconds late after the restart: on time, never "late by 0"


def test_a_repeated_alarm_says_it_may_appear_twice(crash: Outcome) -> None:
    for alarm in [alarm for alarm, n in crash.counts.items() if n == 2]:
        first, again = [text for text in crash.posts if first_line(text) == alarm]
        assert not first.endswith(REPEAT) and again.endswith(REPEAT)
    marked = {first_line(text) for text in crash.posts if text.endswith(REPEAT)}
    assert len(marked) <= 8  # only postings the killed bot had claimed: at most the timers working at once


def test_long_missed_alarms_are_listed_once(crash: Outcome) -> None:
    assert len(crash.summaries) == 1
    assert crash.summaries[0].startswith("While I was offline, 1 alarm")
    [listed] = [line for line in crash.summaries[0].splitlines() if line.startswith("• ")]
    assert listed.endswith(" stale")


def test_the_database_knows_every_alarm_went_out(crash: Outcome) -> None:
    assert crash.schedule_states == dict.fromkeys(crash.schedule_states, schedules.DONE)
    expected = {alarm_text(i): schedules.SENT for i in range(ALARMS)}
    assert crash.posting_states == expected | {"overdue": schedules.SENT, "stale": schedules.MISSED}


def test_the_restarted_bot_answers_despite_the_dead_poller(crash: Outcome) -> None:
    assert crash.reply.startswith("No alarms in this chat")
    assert "Conflict" not in crash.second_log and "Traceback" not in crash.second_log


# ---------------------------------------------------------------------------------- Telegram down at start


async def test_telegram_down_at_start_does_not_keep_the_bot_from_starting(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/kefu.sqlite3"
    now = datetime.now(UTC)
    await db.open_db(url)
    try:
        await create("overdue", GROUPS[0], now - LATE, now - timedelta(hours=1))
    finally:
        await db.close_db()
    async with FakeBotApi() as api:
        api.user(ALICE, "Alice", "alice")
        api.group(GROUPS[0], "Shop 1")
        api.fail("sendMessage", status=502, times=10_000)
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            BOT_TOKEN="123456:TEST",
            TELEGRAM_API_BASE_URL=api.base_url,
            DATABASE_URL=url,
            BOT_OWNER_IDS=str(ALICE),
        )
        async with asyncio.timeout(4), serving(build_application(config), poll_timeout=1):
            await api.processed(api.message(GROUPS[0], ALICE, "hi"), timeout=2)
            assert len(api.calls_to("sendMessage")) <= 3  # retried later, not in a tight loop
            [posting] = await Occurrence.filter(kind=schedules.ALARM)
            assert posting.state == schedules.SENDING  # still claimed: it goes out once Telegram is back
