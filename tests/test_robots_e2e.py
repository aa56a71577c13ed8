"""WeCom and DingTalk robots end to end: linking, mirrored postings, mentions, files, pacing, failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from bot import db
from bot.models import AuditEntry, Delivery, Occurrence, RobotLink, RobotPerson
from tests.harness import ALICE, BOB, FINANCE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import START, advance, posted, register
from tests.test_digests_e2e import REFUNDS, TO_0830

KEY = "wecomkey-1234-abcd"
TOKEN = "dingtoken9876wxyz"
SECRET = "SECabcdef0123456789"
WECOM_URL = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


async def until(
    bot: Harness, clock: Any, done: Callable[[], bool], step: timedelta = timedelta(minutes=1)
) -> None:
    """Move the clock on a step at a time, giving the robots' timers a moment after each, until `done()`."""
    for _ in range(40):
        if done():
            return
        await advance(bot, clock, step)
        await asyncio.sleep(0.2)  # real time: the timers that fell due run meanwhile
    raise AssertionError(
        f"never happened: {[(r.vendor, r.texts(), r.refused) for r in bot.api.robots.values()]}"
    )


async def linked_team(bot: Harness) -> None:
    """The team group registered, Bob known."""
    await register(bot, "team", TEAM)
    await bot.introduce(BOB)


async def test_wecom_link_test_post_and_an_alarm_mirrored_once_with_its_mention(
    bot: Harness, clock: Any
) -> None:
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
    assert (
        "❌ The WeCom robot did not take the test post (93000 invalid webhook url). Nothing was saved."
        in reply
    )
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
            await bot.api.wait_for("sendMessage", lambda c: len(texts_in(bot, "⏰ 换链接")) == 24, timeout=30)
            await bot.api.wait_for_posts(robot, 20, timeout=30)
            await bot.say(ALICE, "/alarms")
            assert len(robot.posts) == 20  # the test post and 19 alarms: the minute is full
            await advance(bot, clock, timedelta(seconds=61))
            got = await bot.api.wait_for_posts(robot, 25, timeout=30)
            assert sorted(text.splitlines()[0].strip() for text in got[1:]) == sorted(
                f"⏰ 换链接{n}" for n in range(24)
            )
            assert robot.limit_violations == 0 and robot.refused == []


def texts_in(bot: Harness, needle: str) -> list[str]:
    """The team chat's bot messages containing `needle`."""
    return [m.get("text", "") for m in bot.api.sent(TEAM) if needle in m.get("text", "")]


async def test_a_robot_that_keeps_failing_is_reported_once_to_the_supervisors(
    bot: Harness, clock: Any
) -> None:
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
    assert report.params["text"].startswith(
        "⚠️ The WeCom robot …abcd of “Kefu team” keeps failing (503 HTTP 503)"
    )
    assert (
        len([c for c in bot.api.calls_to("sendMessage") if "keeps failing" in str(c.params.get("text"))]) == 1
    )
    assert "(failing)" in await bot.say(ALICE, "/channels")
    assert len(robot.posts) == 1


async def test_a_restart_mid_fan_out_loses_nothing_and_repeats_nothing(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as clock:
        async with Harness.running(db_url) as first:
            await linked_team(first)
            first.api.wecom_robot(KEY)
            await first.say(ALICE, f"/wecom {KEY}")
            for n in range(3):
                await first.say(ALICE, f"/shelf at 10:05 盘点{n}")
            first.api.wecom_robot(KEY).fail(status=502, times=100)  # nothing gets through before the stop
            await advance(first, clock, timedelta(minutes=5))
            await first.api.wait_for("sendMessage", lambda c: len(texts_in(first, "⏰ 盘点")) == 3)
        # as if the bot died after Telegram took the last alarm and before it was recorded
        await db.open_db(db_url)
        last = await Occurrence.filter(kind="alarm").order_by("-id").first()
        assert last is not None
        await Occurrence.filter(id=last.id).update(state="sending")
        robot_rows = await Delivery.filter(channel="wecom").count()
        await db.close_db()
        assert robot_rows == 3
        clock.shift(timedelta(minutes=1))
        async with Harness.running(db_url, before_start=lambda api: api.wecom_robot(KEY)) as second:
            robot = second.api.wecom_robot(KEY)
            await posted(second, TEAM, "⏰ 盘点")  # Telegram's one repeat after a crash
            await second.api.wait_for_posts(robot, 3)
            await second.say(ALICE, "/alarms")
            assert sorted(text.splitlines()[0] for text in robot.texts()) == [
                "⏰ 盘点0",
                "⏰ 盘点1",
                "⏰ 盘点2",
            ]
            assert await Delivery.filter(channel="wecom").count() == 3


async def test_secrets_and_mobiles_stay_out_of_logs_audit_and_the_database(
    bot: Harness, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await linked_team(bot)
    bot.api.wecom_robot(KEY)
    robot = bot.api.dingtalk_robot(TOKEN, SECRET)
    await bot.say(ALICE, f"/wecom {WECOM_URL}")
    await bot.say(ALICE, f"/dingtalk {TOKEN} {SECRET}")
    await bot.say(ALICE, "/dingtalk who @bob 13812345678")
    robot.fail(errcode=130101)
    await bot.say(ALICE, "/shelf in 5m @bob 补货")
    await advance(bot, clock, timedelta(minutes=5))
    await until(bot, clock, lambda: len(robot.posts) >= 2, step=timedelta(minutes=5))
    secrets = (KEY, TOKEN, SECRET, "13812345678")
    # every record at the bot's level (INFO) and the bot's own at any level; PTB's DEBUG echoes whole updates,
    # people's messages included, which is why the bot never runs at DEBUG
    ours = [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO or r.name.split(".")[0] in {"bot", "jobs", "handlers"}
    ]
    logged = "\n".join(record.getMessage() for record in ours)
    assert "130101" in logged  # the retry was logged, without the URL
    assert not [secret for secret in secrets if secret in logged]
    entries = await AuditEntry.filter(action__startswith="robot").values_list("target", "before", "after")
    assert len(entries) == 3 and not [secret for secret in secrets if secret in str(entries)]
    stored = await RobotLink.all().values_list("token", "secret", "hint")
    stored_people = await RobotPerson.all().values_list("user_id", "mobile")
    assert not [secret for secret in secrets if secret in str(stored) + str(stored_people)]
    listing = await bot.say(ALICE, "/channels")
    assert "WeCom robot …abcd" in listing and "DingTalk robot …wxyz" in listing
    assert not [secret for secret in secrets if secret in listing]


async def test_without_channel_secret_key_the_commands_say_what_to_set(db_url: str) -> None:
    async with Harness.running(db_url, CHANNEL_SECRET_KEY="") as bot:
        await linked_team(bot)
        bot.api.wecom_robot(KEY)
        assert "Robots need CHANNEL_SECRET_KEY" in await bot.say(ALICE, f"/wecom {KEY}")
        assert bot.api.wecom_robot(KEY).posts == []


async def test_escalation_and_the_missed_summary_reach_the_robots(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as clock:
        async with Harness.running(db_url) as first:
            await linked_team(first)
            await register(first, "supervisors", SUPERVISORS)
            first.api.wecom_robot(KEY)
            await first.say(ALICE, f"/wecom {KEY}", chat=SUPERVISORS)
            await first.say(ALICE, "/dingtalk who @bob 13812345678")
            first.api.dingtalk_robot(TOKEN)
            await first.say(ALICE, f"/dingtalk {TOKEN}")
            await first.say(ALICE, "/shelf in 5m @bob 上架")
            await first.say(ALICE, "/shelf at 12:00 改价")
            await advance(first, clock, timedelta(minutes=15))
            await posted(first, SUPERVISORS, "Nobody marked this alarm done within 10 min")
            supervisors = await first.api.wait_for_posts(first.api.wecom_robot(KEY), 2)
            assert "Nobody marked this alarm done" in supervisors[1] and "上架" in supervisors[1]
        clock.move_to(START + timedelta(hours=3))  # down through 12:00
        robots = {"wecom": KEY, "dingtalk": TOKEN}
        async with Harness.running(
            db_url, before_start=lambda api: [api.wecom_robot(KEY), api.dingtalk_robot(TOKEN)]
        ) as second:
            await posted(second, TEAM, "While I was offline, 1 alarm was missed:")
            team = await second.api.wait_for_posts(second.api.dingtalk_robot(robots["dingtalk"]), 1)
            assert team[0].startswith("While I was offline, 1 alarm was missed:")
            assert "改价" in team[0]


async def test_a_sent_robot_post_keeps_no_copy_of_what_it_said(bot: Harness, clock: Any) -> None:
    await linked_team(bot)
    robot = bot.api.wecom_robot(KEY)
    await bot.say(ALICE, f"/wecom {KEY}")
    await bot.say(ALICE, "/shelf in 5m 退款核对")
    await advance(bot, clock, timedelta(minutes=5))
    await bot.api.wait_for_posts(robot, 2)
    await bot.say(ALICE, "/alarms")
    rows = await Delivery.filter(channel="wecom").values_list("state", "extra")
    assert [state for state, _ in rows] == ["sent"]
    assert "退款核对" not in str(rows)
