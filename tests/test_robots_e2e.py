"""WeCom and DingTalk group robots end to end: linking, mirrored postings, mentions, files, pacing, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from tests.harness import ALICE, BOB, FINANCE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import START, advance, posted, register
from tests.test_digests_e2e import REFUNDS, TO_0830

KEY = "wecomkey-1234-abcd"
TOKEN = "dingtoken9876wxyz"
SECRET = "SECabcdef0123456789"
WECOM_URL = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


async def until(bot: Harness, clock: Any, done: Callable[[], bool], step: timedelta = timedelta(minutes=1)) -> None:
    """Move the clock on a step at a time, giving the robots' timers a moment after each, until `done()`."""
    for _ in range(40):
        if done():
            return
        await advance(bot, clock, step)
        await asyncio.sleep(0.2)  # real time: the timers that fell due run meanwhile
    raise AssertionError("never happened")


async def linked_team(bot: Harness) -> None:
    """The team group registered, Bob known."""
    await register(bot, "team", TEAM)
    await bot.introduce(BOB)


async def test_wecom_link_test_post_and_an_alarm_mirrored_once_with_its_mention(bot: Harness, clock: Any) -> None:
    await linked_team(bot)
    robot = bot.api.wecom_robot(KEY)
    reply = await bot.say(ALICE, f"/wecom {WECOM_URL}")
    assert "WeCom robot …abcd linked: it took the test post." in reply
    assert "Test post from the kefu bot" in (await bot.api.wait_for_posts(robot, 1))[0]
    assert bot.api.calls_to("deleteMessage"), "the command that held the key stays in the group"
    await bot.say(ALICE, "/wecom who @bob zhangwei")
    await bot.say(ALICE, "/shelf in 5m @bob 下架夏季连衣裙")
    await advance(bot, clock, timedelta(minutes=5))
    await posted(bot, TEAM, "⏰ @bob 下架夏季连衣裙")
    texts = await bot.api.wait_for_posts(robot, 2)
    assert texts[1].startswith("⏰ <@zhangwei> 下架夏季连衣裙")
    assert "👉 Press the buttons in Telegram" in texts[1]
    await advance(bot, clock, timedelta(minutes=1))
    await bot.say(ALICE, "/alarms")
    assert len(robot.posts) == 2


async def test_dingtalk_signed_robot_mentions_by_mobile_in_markdown(bot: Harness, clock: Any) -> None:
    await linked_team(bot)
    robot = bot.api.dingtalk_robot(TOKEN, SECRET)
    url = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
    assert "DingTalk robot …wxyz linked" in await bot.say(ALICE, f"/dingtalk {url} {SECRET}")
    reply = await bot.say(ALICE, "/dingtalk who @bob 138-1234-5678")
    assert "✅ @bob is 138****5678 in DingTalk" in reply
    assert "138****5678" in await bot.say(ALICE, "/dingtalk who")
    await bot.say(ALICE, "/shelf in 5m @bob 上架冬季外套")
    await advance(bot, clock, timedelta(minutes=5))
    await posted(bot, TEAM, "⏰ @bob 上架冬季外套")
    await bot.api.wait_for_posts(robot, 2)
    post = robot.posts[1]
    assert post["msgtype"] == "markdown"
    assert post["markdown"]["text"].startswith("⏰ @13812345678 上架冬季外套")
    assert post["at"]["atMobiles"] == ["13812345678"]
    assert robot.refused == []
    assert "no longer mapped" in await bot.say(ALICE, "/dingtalk who @bob off")
    assert "nobody yet" in await bot.say(ALICE, "/dingtalk who")


async def test_bad_key_and_bad_signature_are_answered_and_nothing_is_stored(bot: Harness) -> None:
    await linked_team(bot)
    reply = await bot.say(ALICE, "/wecom nosuchkey-0000")
    assert "❌ The WeCom robot did not take the test post (93000 invalid webhook url). Nothing was saved." in reply
    assert "WeCom does not know this key" in reply
    bot.api.dingtalk_robot(TOKEN, SECRET)
    reply = await bot.say(ALICE, f"/dingtalk {TOKEN} SECwrongwrongwrong")
    assert "(310000 sign not match)" in reply and "signing secret (SEC…)" in reply
    reply = await bot.say(ALICE, f"/dingtalk {TOKEN}")
    assert "(310000 sign not match)" in reply
    assert "That is not a robot's webhook URL or key" in await bot.say(ALICE, "/wecom x")
    assert "No robot is linked" in await bot.say(ALICE, "/channels")
    assert "No WeCom robot is linked in this chat." in await bot.say(ALICE, "/wecom off")
    zh = await bot.say(ALICE, "/lang zh")
    assert zh
    assert "企业微信机器人没有收下测试消息" in await bot.say(ALICE, "/wecom nosuchkey-0000")


async def test_only_managers_link_robots_and_only_in_registered_groups(bot: Harness) -> None:
    await bot.introduce(BOB)
    assert "registered group" in await bot.say(ALICE, f"/wecom {KEY}")
    await linked_team(bot)
    assert "manager" in await bot.say(BOB, f"/wecom {KEY}")
    assert bot.api.wecom_robot(KEY).posts == []


async def test_finance_digest_reaches_wecom_with_its_xlsx_as_a_file(bot: Harness, clock: Any) -> None:
    await register(bot, "finance", FINANCE)
    robot = bot.api.wecom_robot(KEY)
    await bot.say(ALICE, f"/wecom {KEY}", chat=FINANCE)
    for command in REFUNDS:
        await bot.say(ALICE, command)
    await advance(bot, clock, TO_0830)
    table = await bot.api.wait_for("sendDocument", lambda c: int(c.params["chat_id"]) == FINANCE)
    await posted(bot, FINANCE, "Refunds waiting for your answer")
    name = table.params["document"]["filename"]
    texts = await bot.api.wait_for_posts(robot, 4)
    assert f"[file {name}]" in texts
    stored = next(content for file_name, content in robot.files.values() if file_name == name)
    assert stored == table.params["document"]["content"]
    assert any("Refunds waiting for your answer" in text and "👉 Press the buttons" in text for text in texts)


async def test_broadcast_reaches_dingtalk_with_a_link_back_to_got_it(bot: Harness) -> None:
    await register(bot, "team", TEAM)
    await register(bot, "supervisors", SUPERVISORS)
    robot = bot.api.dingtalk_robot(TOKEN)
    await bot.say(ALICE, f"/dingtalk {TOKEN}")
    shown = (await bot.send(ALICE, "/broadcast Meeting at 15:00 in room 2", SUPERVISORS))[0]
    await bot.press(ALICE, SUPERVISORS, shown["message_id"], 1)
    delivered = await posted(bot, TEAM, "📣 From @alice:")
    texts = await bot.api.wait_for_posts(robot, 2)
    link = f"https://t.me/c/1001/{delivered.result['message_id']}"
    assert texts[1].startswith("📣 From @alice:  \nMeeting at 15:00 in room 2")
    assert f"👉 Press the buttons in Telegram: {link}" in texts[1]


async def test_limit_answers_and_5xx_are_retried_until_delivered_and_telegram_is_not_held_up(
    bot: Harness, clock: Any
) -> None:
    await linked_team(bot)
    robot = bot.api.wecom_robot(KEY)
    await bot.say(ALICE, f"/wecom {KEY}")
    robot.fail(errcode=45009, times=2)
    robot.fail(status=502)
    await bot.say(ALICE, "/shelf in 5m 补货")
    await bot.say(ALICE, "/shelf in 6m 改价")
    await advance(bot, clock, timedelta(minutes=5))
    await posted(bot, TEAM, "⏰ 补货")
    await advance(bot, clock, timedelta(minutes=1))
    await posted(bot, TEAM, "⏰ 改价")  # on time, while the robot is still being retried
    assert len(robot.posts) == 1
    await until(bot, clock, lambda: len(robot.posts) == 3)
    texts = robot.texts()
    assert [text.splitlines()[0] for text in texts[1:]] == ["⏰ 补货", "⏰ 改价"]
    assert len(robot.refused) == 3


@pytest.mark.parametrize("vendor", ["wecom", "dingtalk"])
async def test_a_burst_is_paced_under_twenty_a_minute_and_all_arrive(db_url: str, vendor: str) -> None:
    with time_machine.travel(START, tick=False) as clock:
        async with Harness.running(db_url, BOT_RATE_LIMIT="false") as bot:
            await linked_team(bot)
            robot = bot.api.wecom_robot(KEY) if vendor == "wecom" else bot.api.dingtalk_robot(TOKEN)
            await bot.say(ALICE, f"/{vendor} {KEY if vendor == 'wecom' else TOKEN}")
            for n in range(24):
                await bot.say(ALICE, f"/shelf at 10:05 换链接{n}")
            await advance(bot, clock, timedelta(minutes=5))
            await bot.api.wait_for("sendMessage", lambda c: len(texts_in(bot, "⏰ 换链接")) == 24)
            await bot.api.wait_for_posts(robot, 20)
            await bot.say(ALICE, "/alarms")
            assert len(robot.posts) == 20  # the test post and 19 alarms: the minute is full
            await advance(bot, clock, timedelta(seconds=61))
            got = await bot.api.wait_for_posts(robot, 25)
            assert sorted(text.splitlines()[0].strip() for text in got[1:]) == sorted(f"⏰ 换链接{n}" for n in range(24))
            assert robot.limit_violations == 0 and robot.refused == []


def texts_in(bot: Harness, needle: str) -> list[str]:
    """The team chat's bot messages containing `needle`."""
    return [m.get("text", "") for m in bot.api.sent(TEAM) if needle in m.get("text", "")]


async def test_a_robot_that_keeps_failing_is_reported_once_to_the_supervisors(bot: Harness, clock: Any) -> None:
    await linked_team(bot)
    await register(bot, "supervisors", SUPERVISORS)
    robot = bot.api.wecom_robot(KEY)
    await bot.say(ALICE, f"/wecom {KEY}")
    robot.fail(status=503, times=100)
    await bot.say(ALICE, "/shelf in 5m 上新")
    await advance(bot, clock, timedelta(minutes=5))
    await posted(bot, TEAM, "⏰ 上新")
    await until(bot, clock, lambda: len(robot.refused) >= 5, step=timedelta(minutes=2))
    report = await posted(bot, SUPERVISORS, "keeps failing")
    assert report.params["text"].startswith("⚠️ The WeCom robot …abcd of “Kefu team” keeps failing (503 HTTP 503)")
    assert len([c for c in bot.api.calls_to("sendMessage") if "keeps failing" in str(c.params.get("text"))]) == 1
    assert "(failing)" in await bot.say(ALICE, "/channels")
    assert len(robot.posts) == 1
