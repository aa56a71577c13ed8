"""Shelf-change alarms end to end, clock controlled: firing, heads-up, Done, Snooze, escalation, restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from tests.harness import ALICE, BOB, SUPERVISORS, TEAM, Harness
from tests.shop_clock import START, advance, posted, texts


async def test_one_off_alarm_fires_once_and_done_is_recorded(bot: Harness, clock: Any) -> None:
    reply = await bot.say(ALICE, "/shelf at 10:30 下架夏季连衣裙")
    assert "Alarm #1 set: once on Mon 23 Nov 10:30. Next: Mon 23 Nov 10:30 (today)." in reply
    await advance(bot, clock, timedelta(minutes=29))
    assert texts(bot, TEAM, "⏰ 下架") == []
    await advance(bot, clock, timedelta(minutes=1))
    alarm = await posted(bot, TEAM, "⏰ 下架夏季连衣裙")
    assert "late" not in alarm.params["text"]
    message_id = alarm.result["message_id"]
    await advance(bot, clock, timedelta(minutes=2))
    edited = await bot.press(ALICE, TEAM, message_id, 1)
    assert "✅ Done by @alice, 2 min after." in edited[-1]["text"]
    await advance(bot, clock, timedelta(days=1))
    assert len(texts(bot, TEAM, "⏰ 下架")) == 1
    log = await bot.say(ALICE, "/alarm log 1")
    assert "done by @alice, 2 min after" in log


async def test_windowed_alarm_with_heads_up(bot: Harness, clock: Any) -> None:
    said = await bot.say(ALICE, "/shelf every 30m from 10:00 to 11:00 换链接 lead=5m")
    assert said.endswith("\n⏳ Heads-up 5 min before it rings."), said
    listed = await bot.say(ALICE, "/alarms")
    assert listed.splitlines()[1].endswith(" · 换链接 · ⏳ Heads-up 5 min before it rings."), listed
    await advance(bot, clock, timedelta(minutes=25))
    await posted(bot, TEAM, "⏳ In 5 min: 换链接")
    await advance(bot, clock, timedelta(minutes=5))
    await posted(bot, TEAM, "⏰ 换链接")
    await advance(bot, clock, timedelta(minutes=30))
    await bot.api.wait_for("sendMessage", lambda c: len(texts(bot, TEAM, "⏰ 换链接")) == 2)
    await advance(bot, clock, timedelta(hours=2))
    assert len(texts(bot, TEAM, "⏰ 换链接")) == 2  # 10:30 and 11:00; nothing after the window
    assert len(texts(bot, TEAM, "⏳ In 5 min")) == 2


async def test_unacknowledged_alarm_escalates_to_supervisors(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    await bot.say(ALICE, "/shelf in 5m 上架冬季外套")
    await advance(bot, clock, timedelta(minutes=5))
    await posted(bot, TEAM, "⏰ 上架冬季外套")
    await advance(bot, clock, timedelta(minutes=10))
    escalation = await posted(bot, SUPERVISORS, "Nobody marked this alarm done within 10 min")
    assert "上架冬季外套" in escalation.params["text"]


async def test_done_in_time_means_no_escalation(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    await bot.say(ALICE, "/shelf in 5m 上架")
    await advance(bot, clock, timedelta(minutes=5))
    alarm = await posted(bot, TEAM, "⏰ 上架")
    await bot.press(ALICE, TEAM, alarm.result["message_id"], 1)
    await advance(bot, clock, timedelta(minutes=15))
    await bot.say(ALICE, "/alarms")  # a round trip, so any escalation would have been sent by now
    assert texts(bot, SUPERVISORS, "Nobody marked") == []


async def test_snooze_posts_the_alarm_again(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/shelf in 5m 改价")
    await advance(bot, clock, timedelta(minutes=5))
    alarm = await posted(bot, TEAM, "⏰ 改价")
    edited = await bot.press(ALICE, TEAM, alarm.result["message_id"], 2)
    assert "😴 Snoozed 5 min by @alice." in edited[-1]["text"]
    await advance(bot, clock, timedelta(minutes=5))
    await bot.api.wait_for("sendMessage", lambda c: len(texts(bot, TEAM, "⏰ 改价")) == 2)


async def test_a_429_puts_the_alarm_off_by_what_telegram_asked_then_it_goes_out_once(
    bot: Harness, clock: Any
) -> None:
    await bot.say(ALICE, "/shelf in 5m 补货")
    bot.api.fail("sendMessage", status=429, retry_after=3, times=1)
    await advance(bot, clock, timedelta(minutes=5))
    await bot.api.wait_for("sendMessage", lambda call: call.status == 429)
    await bot.say(ALICE, "/alarms")  # a round trip, so the bot has taken the 429 in
    await advance(bot, clock, timedelta(seconds=2))
    await bot.say(ALICE, "/alarms")  # a round trip: a retry due now would have been sent
    assert texts(bot, TEAM, "⏰ 补货") == []
    await advance(bot, clock, timedelta(seconds=2))
    await bot.api.wait_for(
        "sendMessage", lambda call: call.status == 200 and call.params["text"].startswith("⏰ 补货")
    )
    await advance(bot, clock, timedelta(minutes=1))
    assert len(texts(bot, TEAM, "⏰ 补货")) == 1


async def test_buttons_need_a_role(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/shelf in 1m 上架")
    await advance(bot, clock, timedelta(minutes=1))
    alarm = await posted(bot, TEAM, "⏰ 上架")
    await bot.press(BOB, TEAM, alarm.result["message_id"], 1)
    answer = bot.api.calls_to("answerCallbackQuery")[-1]
    assert "needs a role" in str(answer.params.get("text")) and answer.params.get("show_alert") in (
        True,
        "true",
    )


async def test_pause_resume_delete(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/shelf every 30m 巡店")
    assert "paused" in await bot.say(ALICE, "/alarm pause 1")
    await advance(bot, clock, timedelta(hours=1))
    assert texts(bot, TEAM, "⏰ 巡店") == []
    assert "active" in await bot.say(ALICE, "/alarm resume 1")
    await advance(bot, clock, timedelta(minutes=30))
    await posted(bot, TEAM, "⏰ 巡店")
    assert "deleted" in await bot.say(ALICE, "/alarm 删除 1")
    assert "No alarms in this chat" in await bot.say(ALICE, "/alarms")


async def test_alarm_of_another_chat_is_refused(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/shelf in 10m x", chat=SUPERVISORS)
    assert "belongs to another chat" in await bot.say(ALICE, "/alarm pause 1")


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/shelf in 0m x", "is not ahead of now"),
        ("/shelf at 25:00 x", "is not a time of day"),
        ("/shelf every 30s x", "I can't read"),
        ("/shelf every 30m from 18:00 to 09:00 x", "end"),
        ("/shelf", "When, and what?"),
        ("/alarm pause", "Say what to do and which alarm"),
        ("/alarm explode 1", "Unknown action"),
        ("/alarm pause 99", "There is no alarm 99"),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_stored(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    reply = await bot.say(ALICE, command)
    assert problem in reply and "Usage:" in reply
    assert "No alarms in this chat" in await bot.say(ALICE, "/alarms")


async def test_chinese_chat_gets_chinese_alarms(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/lang zh")
    [question] = await bot.send(ALICE, "/shelf 10点30 下架")
    assert "“10点30”可能是上午也可能是晚上：我理解为 10:30。" in question["text"]
    pressed = await bot.press(ALICE, TEAM, question["message_id"], 1)
    assert any("⏰ 提醒 #1 已设置" in message["text"] for message in pressed)
    await advance(bot, clock, timedelta(minutes=30))
    alarm = await posted(bot, TEAM, "⏰ 下架")
    buttons = [b["text"] for row in alarm.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0] == "完成 ✅"


async def test_restart_posts_recent_alarms_late_and_summarises_old_ones(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await first.say(ALICE, "/shelf at 10:05 早的提醒")
            await first.say(ALICE, "/shelf every 10m from 08:00 to 10:30 窗口提醒")
        traveller.shift(timedelta(minutes=35))  # down from 10:00 to 10:35
        async with Harness.running(db_url) as second:
            summary = await posted(second, TEAM, "While I was offline, 3 alarms were missed")
            assert (
                "早的提醒" in summary.params["text"]
                and "Mon 23 Nov 10:20 #2 窗口提醒" in summary.params["text"]
            )
            recent = await posted(second, TEAM, "⏰ 窗口提醒")
            assert "late by 5 min" in recent.params["text"]  # 10:30 is within the 10-minute grace
            assert texts(second, TEAM, "⏰ 早的提醒") == []
            assert "• Mon 23 Nov 10:10 missed (I was offline)" in await second.say(ALICE, "/alarm log 2")
        async with Harness.running(db_url) as third:
            await third.say(ALICE, "/alarms")
            assert [text for text in texts(third, TEAM, "") if "⏰" in text or "offline" in text] == []


async def test_alarm_posted_late_at_start_is_escalated_once(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await first.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
            await first.say(ALICE, "/shelf at 10:05 上架冬季外套")
        traveller.shift(timedelta(minutes=15))  # down from 10:00 to 10:15: posted 10 min late, escalation due
        async with Harness.running(db_url) as second:
            await posted(second, SUPERVISORS, "Nobody marked this alarm done within 10 min")
            await advance(second, traveller, timedelta(minutes=30))
            await second.say(ALICE, "/alarms")  # a round trip: any second escalation would be out by now
            assert len(texts(second, SUPERVISORS, "Nobody marked this alarm done")) == 1
            assert len(texts(second, TEAM, "⏰ 上架冬季外套")) == 1
