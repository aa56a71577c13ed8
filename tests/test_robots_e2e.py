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
