"""Regression tests for the last items of what a hostile team member found that no other test pinned, end to
end on SQLite and PostgreSQL: a snooze counted as done and missing from /alarms, and a schedule of a kind the
kinds table does not know being posted as an alarm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Occurrence, Schedule
from bot.services.scheduling import schedules
from jobs import engine
from tests.harness import ALICE, BOB, TEAM, Harness
from tests.shop_clock import advance, posted


async def test_a_snooze_is_logged_as_a_snooze_and_listed_until_it_rings(bot: Harness, clock: Any) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/role @bob aftersale", chat=ALICE)
    assert "Alarm #1 set" in await bot.say(ALICE, "/shelf in 5m 改价")
    await advance(bot, clock, timedelta(minutes=5))
    alarm = await posted(bot, TEAM, "⏰ 改价")
    [snoozed] = await bot.press(BOB, TEAM, alarm.result["message_id"], 2)
    assert "😴 Snoozed 5 min by @bob." in snoozed["text"]
    log = await bot.say(ALICE, "/alarm log 1")
    assert "snoozed by @bob, 0 min after" in log and "done by" not in log
    listed = await bot.say(ALICE, "/alarms")
    assert "改价" in listed and "#2" in listed, listed  # the snoozed copy, until it rings again
    [occurrence] = await Occurrence.filter(schedule_id=1)
    assert occurrence.outcome == schedules.SNOOZED and occurrence.acked_by == BOB


async def test_a_schedule_of_an_unknown_kind_is_never_posted_and_marked_failed(
    bot: Harness, clock: Any, caplog: Any
) -> None:
    due = datetime.now(UTC) + timedelta(minutes=1)
    mystery = await Schedule.create(
        kind="mystery",
        chat_id=TEAM,
        owner_id=ALICE,
        rule={"once": due.isoformat()},
        timezone="Asia/Shanghai",
        text="would look like an alarm",
        next_due_at=due,
        next_kind=schedules.ALARM,
    )
    engine.arm(bot.app, mystery)
    await advance(bot, clock, timedelta(minutes=2))
    for _ in range(50):
        if await Occurrence.filter(schedule_id=mystery.id).exists():
            break
        await bot.say(ALICE, "/whoami", chat=ALICE)  # a round trip lets the timer run
    [occurrence] = await Occurrence.filter(schedule_id=mystery.id)
    assert occurrence.state == schedules.FAILED
    assert [m for m in bot.api.sent(TEAM) if "would look like an alarm" in m.get("text", "")] == []
    assert "unknown kind 'mystery'" in caplog.text
