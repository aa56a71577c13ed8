"""WeCom and DingTalk group robots end to end: linking, mirrored postings, mentions, files, pacing, failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.harness import ALICE, BOB, SUPERVISORS, TEAM, Harness
from tests.shop_clock import advance, posted, register

KEY = "wecomkey-1234-abcd"
TOKEN = "dingtoken9876wxyz"
SECRET = "SECabcdef0123456789"
WECOM_URL = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


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
