"""Broadcasts end to end: preview, Confirm / Cancel, delivery report with a refused chat, Got it and /acks,
pin and silent, a replied-to photo, scheduled ones with a controlled clock and across restarts, bad input,
permissions, English and Chinese.

Each test keeps well under 15 bot messages per group (Telegram's flood limit is about 20 a minute)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from bot.fakeapi.driver import handled
from bot.render.codec import Family, encode
from tests.harness import ALICE, BOB, CAROL, DAVE, FINANCE, SUPERVISORS, TEAM, WAREHOUSE, Harness
from tests.shop_clock import START, advance, buttons, last_answer, posted, register

# ------------------------------------------------------------------------------------------------- helpers


async def setup(bot: Harness, *purposes: tuple[int, str]) -> None:
    """Register groups for their purposes (as alice, the manager)."""
    for chat, purpose in purposes:
        await register(bot, purpose, chat)


async def preview(
    bot: Harness, text: str, *, user: int = ALICE, chat: int = SUPERVISORS, **kw: Any
) -> dict[str, Any]:
    """Send /broadcast and return the preview the bot answered with."""
    sent = await bot.send(user, text, chat, **kw)
    assert len(sent) == 1, [m.get("text") for m in sent]
    return sent[0]


async def press(bot: Harness, message: dict[str, Any], index: int, user: int = ALICE) -> list[dict[str, Any]]:
    """Press a button under a bot message in its chat."""
    return await bot.press(user, int(message["chat"]["id"]), int(message["message_id"]), index)


async def press_data(bot: Harness, user: int, message: dict[str, Any], data: str) -> None:
    """Press a button by its data, as a stale client still showing an old keyboard would."""
    chat, message_id = int(message["chat"]["id"]), int(message["message_id"])
    await handled(bot.api, bot.app, bot.api.press(chat, user, message_id, data))


def sent_to(bot: Harness, chat: int, needle: str = "📣") -> list[dict[str, Any]]:
    """Broadcast messages the bot posted in a chat (text or caption containing `needle`)."""
    return [m for m in bot.api.sent(chat) if needle in str(m.get("text") or m.get("caption") or "")]


async def report(bot: Harness, chat: int = SUPERVISORS) -> str:
    """Wait for the delivery report in the author's chat and return its text."""
    return str((await posted(bot, chat, " delivered to ")).params["text"])


async def grant(bot: Harness, user: int, role: str) -> None:
    """Alice makes someone known to the bot and gives them a role."""
    await bot.introduce(user)
    await bot.say(ALICE, f"/role {user_tag(user)} {role}")


def user_tag(user: int) -> str:
    """How the harness people are addressed."""
    return {BOB: "@bob", CAROL: "@carol"}[user]


# ------------------------------------------------------------------------------------------------- tests


async def test_preview_sends_nothing_until_confirmed_and_confirm_works_once(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"), (SUPERVISORS, "supervisors"))
    shown = await preview(bot, "/broadcast Meeting at 15:00 in room 2\nBring the refund table.")
    lines = shown["text"].splitlines()
    assert lines[0] == "📣 Broadcast #1: preview"
    assert "To: team chat (Kefu team)" in lines and "When: as soon as you confirm" in lines
    assert "Meeting at 15:00 in room 2" in lines and "Bring the refund table." in lines
    assert buttons(shown) == ["Confirm ✅", "Cancel ✖️"]
    assert sent_to(bot, TEAM) == []

    edited = await press(bot, shown, 1)
    assert edited[-1]["text"].endswith("✅ Confirmed by @alice: sending now.") and buttons(edited[-1]) == []
    delivered = await posted(bot, TEAM, "📣 From @alice:")
    assert delivered.params["text"] == "📣 From @alice:\nMeeting at 15:00 in room 2\nBring the refund table."
    assert buttons(delivered.result) == ["Got it 👍"]
    text = await report(bot)
    assert text.splitlines() == [
        "📣 Broadcast #1 delivered to 1 of 1 chat.",
        "✅ Kefu team",
        "Who has read it: /acks 1",
    ]

    await press_data(bot, ALICE, shown, encode(Family.BROADCAST, "confirm", 1))
    assert "already handled" in last_answer(bot)["text"]
    await bot.say(ALICE, "/broadcasts")  # a round trip: a second posting would have gone out by now
    assert len(sent_to(bot, TEAM)) == 1
    audit = await bot.say(ALICE, "/audit 10")
    for action in ("broadcast.create", "broadcast.confirm", "broadcast.delivered"):
        assert action in audit


async def test_cancel_sends_nothing_and_only_the_author_or_a_manager_decides(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"))
    await grant(bot, BOB, "supervisor")
    await grant(bot, CAROL, "supervisor")
    shown = await preview(bot, "/broadcast 盘点 at 6pm", user=BOB, chat=TEAM)
    await press(bot, shown, 1, user=CAROL)
    answer = last_answer(bot)
    assert "only its author or someone with the role manager" in answer["text"] and answer["show_alert"] in (
        True,
        "true",
    )
    edited = await press(bot, shown, 2, user=BOB)
    assert edited[-1]["text"].endswith("✖️ Cancelled by @bob: nothing was sent.")
    await press_data(bot, ALICE, shown, encode(Family.BROADCAST, "confirm", 1))
    assert "already handled" in last_answer(bot)["text"]
    assert sent_to(bot, TEAM, "📣 From") == []

    again = await preview(bot, "/broadcast 盘点 at 6pm", user=BOB, chat=TEAM)
    await press(bot, again, 1)  # alice is a manager
    await posted(bot, TEAM, "📣 From @bob:\n盘点 at 6pm")
    assert "broadcast.cancel" in await bot.say(ALICE, "/audit 10")


async def test_report_names_the_chat_that_refused_and_why(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"), (FINANCE, "finance"), (WAREHOUSE, "warehouse"))
    bot.api.add_member(WAREHOUSE, bot.api.bot_id, "kicked")
    shown = await preview(bot, "/broadcast to=all The system is down from 22:00 to 23:00")
    assert "To: all registered chats (Finance, Kefu team, Warehouse)" in shown["text"]
    await press(bot, shown, 1)
    lines = (await report(bot)).splitlines()
    assert lines[0] == "📣 Broadcast #1 delivered to 2 of 3 chats."
    assert "❌ Warehouse: Forbidden: bot was kicked from the supergroup chat" in lines
    assert "✅ Kefu team" in lines and "✅ Finance" in lines
    assert len(sent_to(bot, TEAM)) == len(sent_to(bot, FINANCE)) == 1


async def test_got_it_is_recorded_once_and_acks_lists_who_has_not(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"))
    await grant(bot, BOB, "aftersale")
    await grant(bot, CAROL, "presale")
    await bot.introduce(DAVE)
    shown = await preview(bot, "/broadcast New return policy from Monday")
    assert "has not gone out (waiting for Confirm)" in await bot.say(ALICE, "/acks 1", chat=SUPERVISORS)
    await press(bot, shown, 1)
    message = (await posted(bot, TEAM, "New return policy")).result
    await report(bot)

    await press(bot, message, 1, user=BOB)
    assert last_answer(bot)["text"] == "👍 Noted, thank you."
    await press(bot, message, 1, user=BOB)
    assert last_answer(bot)["text"] == "You have already pressed Got it."
    await press(bot, message, 1, user=DAVE)  # no role yet: reading is still recorded
    lines = (await bot.say(ALICE, "/acks 1", chat=SUPERVISORS)).splitlines()
    assert lines[0] == "Broadcast #1 to team chat: 2 pressed Got it."
    assert [line.split(" ")[1] for line in lines if line.startswith("✅")] == ["@bob", "Dave"]
    assert "⏳ Not yet: @carol" in lines
    assert "Which broadcast?" in await bot.say(ALICE, "/acks", chat=SUPERVISORS)


async def test_got_it_counts_only_in_the_chats_it_was_sent_to(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"))
    await grant(bot, BOB, "aftersale")
    shown = await preview(bot, "/broadcast Stock count tonight")
    await press(bot, shown, 1)
    copy = (await posted(bot, TEAM, "Stock count tonight")).result
    elsewhere = (await posted(bot, SUPERVISORS, " delivered to ")).result
    await press_data(bot, BOB, elsewhere, encode(Family.BROADCAST, "ack", 1))  # forged, in the wrong chat
    assert last_answer(bot)["text"] == "This button does not belong to this chat."
    assert "0 pressed Got it" in await bot.say(ALICE, "/acks 1", chat=SUPERVISORS)
    await press(bot, copy, 1, user=BOB)
    assert last_answer(bot)["text"] == "👍 Noted, thank you."
    assert "1 pressed Got it" in await bot.say(ALICE, "/acks 1", chat=SUPERVISORS)
    assert "There is no broadcast 9." in await bot.say(ALICE, "/acks 9", chat=SUPERVISORS)


async def test_pin_and_silent_and_a_failed_pin_is_reported(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"), (FINANCE, "finance"))
    shown = await preview(bot, "/broadcast pin silent Price change at 14:00")
    assert "Options: pin, silent" in shown["text"]
    await press(bot, shown, 1)
    delivered = await posted(bot, TEAM, "Price change")
    assert delivered.params["disable_notification"] in (True, "true")
    pinned = await bot.api.wait_for("pinChatMessage")
    assert int(pinned.params["chat_id"]) == TEAM
    assert pinned.params["message_id"] == delivered.result["message_id"]
    assert "✅ Kefu team (pinned)" in await report(bot)

    bot.api.fail("pinChatMessage", status=400, description="Bad Request: not enough rights to pin a message")
    shown = await preview(bot, "/broadcast to=finance 置顶 Invoices due")
    await press(bot, shown, 1)
    delivered = await posted(bot, FINANCE, "Invoices due")
    assert "disable_notification" not in delivered.params or delivered.params["disable_notification"] in (
        False,
        "false",
    )
    text = await bot.api.wait_for("sendMessage", lambda c: "Broadcast #2 delivered" in str(c.params["text"]))
    assert "✅ Finance (not pinned: Not enough rights to pin a message)" in text.params["text"]


async def test_a_reply_to_a_photo_or_a_text_is_the_body(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"), (WAREHOUSE, "warehouse"))
    photo = bot.api.message(SUPERVISORS, ALICE, photo=True, caption="New packing rule: bubble wrap twice")
    await handled(bot.api, bot.app, photo)
    shown = await preview(bot, "/broadcast 发给=仓库", reply_to=photo["message"]["message_id"])
    assert "📷 A photo, with this caption:" in shown["text"] and "bubble wrap twice" in shown["text"]
    assert "To: warehouse chat (Warehouse)" in shown["text"]
    await press(bot, shown, 1)
    sent = await posted(bot, WAREHOUSE, "bubble wrap", method="sendPhoto")
    assert sent.params["photo"] == photo["message"]["photo"][-1]["file_id"]
    assert sent.params["caption"] == "📣 From @alice:\nNew packing rule: bubble wrap twice"
    assert buttons(sent.result) == ["Got it 👍"]
    await report(bot)

    text = bot.api.message(SUPERVISORS, ALICE, "Lunch moves to 12:30 today")
    await handled(bot.api, bot.app, text)
    shown = await preview(bot, "/broadcast", reply_to=text["message"]["message_id"])
    await press(bot, shown, 1)
    await posted(bot, TEAM, "📣 From @alice:\nLunch moves to 12:30 today")
    both = await bot.say(ALICE, "/broadcast extra words", SUPERVISORS, reply_to=text["message"]["message_id"])
    assert "that message is what I send" in both and "Usage:" in both


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/broadcast", "What should I send?"),
        ("/broadcast pin silent", "What should I send?"),
        ("/broadcast to=moon hello", "Unknown target to=“moon”. Targets: team, supervisors, finance"),
        ("/broadcast to= hello", "The option to= is empty"),
        ("/broadcast to=team to=all hello", "Give to= only once."),
        ("/broadcast colour=red hello", "Unknown option “colour=red”"),
        ("/broadcast at=25:99 hello", "I can't read at=“25:99” as a time of day"),
        ("/broadcast at=soon hello", "I can't read at=“soon” as a time of day"),
        (
            "/broadcast to=review hello",
            "No chat is registered as “review”. Register one there with /setup review.",
        ),
        ("/broadcast " + "x" * 3501, "The message is 3501 characters; keep it to 3500."),
        ("/broadcast cancel 7", "There is no broadcast 7."),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_stored(bot: Harness, command: str, problem: str) -> None:
    await setup(bot, (TEAM, "team"))
    reply = await bot.send(ALICE, command, SUPERVISORS)
    assert problem in reply[-1]["text"] and "Usage: /broadcast to=team pin at=14:30" in reply[-1]["text"]
    assert buttons(reply[-1]) == []
    shown = await preview(bot, "/broadcast fine")
    assert shown["text"].startswith("📣 Broadcast #1: preview")


async def test_people_without_the_role_are_refused(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"))
    await grant(bot, BOB, "aftersale")
    for command in ("/broadcast hello", "/broadcasts", "/acks 1"):
        assert "Sorry, this needs the role: supervisor, manager." in await bot.say(BOB, command)


async def test_scheduled_broadcast_goes_out_once_at_its_time(bot: Harness, clock: Any) -> None:
    await setup(bot, (TEAM, "team"))
    shown = await preview(bot, "/broadcast at=10:30 silent Switch to the winter listings")
    assert "When: Mon 23 Nov 10:30" in shown["text"]
    edited = await press(bot, shown, 1)
    assert edited[-1]["text"].endswith("🕒 Confirmed by @alice: goes out at Mon 23 Nov 10:30.")
    assert buttons(edited[-1]) == ["Cancel ✖️"]
    listed = (await bot.say(ALICE, "/broadcasts", SUPERVISORS)).splitlines()
    assert listed[1] == "#1 · Mon 23 Nov 10:30 · team chat · @alice · Switch to the winter listings"
    await advance(bot, clock, timedelta(minutes=29))
    await bot.say(ALICE, "/broadcasts", SUPERVISORS)  # a round trip
    assert sent_to(bot, TEAM) == []
    await advance(bot, clock, timedelta(minutes=1))
    await posted(bot, TEAM, "Switch to the winter listings")
    assert "late" not in await report(bot)
    await advance(bot, clock, timedelta(days=1))
    assert "No broadcasts are scheduled" in await bot.say(ALICE, "/broadcasts", SUPERVISORS)
    assert len(sent_to(bot, TEAM)) == 1
    assert buttons(bot.api.get_message(SUPERVISORS, shown["message_id"]) or {}) == []
    await press_data(bot, ALICE, shown, encode(Family.BROADCAST, "cancel", 1))  # a stale Cancel button
    assert "can't be cancelled" in last_answer(bot)["text"]


async def test_a_time_already_past_today_means_tomorrow(bot: Harness, clock: Any) -> None:
    await setup(bot, (TEAM, "team"))
    shown = await preview(bot, "/broadcast 时间=09:00 早会")
    assert "When: Tue 24 Nov 09:00" in shown["text"]


async def test_a_bare_hour_is_asked_about_before_the_preview(bot: Harness, clock: Any) -> None:
    await setup(bot, (TEAM, "team"))
    question = await preview(bot, "/broadcast 时间=9点 早会")  # 10:00 now: 21:00 today, or 09:00 tomorrow?
    assert "“9点” could be morning or evening: I read it as 21:00." in question["text"]
    assert buttons(question) == [
        "✅ once on Mon 23 Nov 21:00",
        "🔄 once on Tue 24 Nov 09:00",
        "✏️ No, let me retype",
    ]
    assert "No broadcasts are scheduled" in await bot.say(ALICE, "/broadcasts", SUPERVISORS)
    shown, stamped = await press(bot, question, 2)  # the preview, then the question stamped
    assert "When: Tue 24 Nov 09:00" in shown["text"] and buttons(shown) == ["Confirm ✅", "Cancel ✖️"]
    assert stamped["text"].endswith("✅ @alice chose: once on Tue 24 Nov 09:00") and buttons(stamped) == []


async def test_scheduled_broadcast_can_be_cancelled_by_command_or_button(bot: Harness, clock: Any) -> None:
    await setup(bot, (TEAM, "team"))
    first = await preview(bot, "/broadcast at=11:00 first")
    await press(bot, first, 1)
    second = await preview(bot, "/broadcast at=11:00 second")
    confirmed = await press(bot, second, 1)
    assert "cancelled: nothing was sent" in await bot.say(ALICE, "/broadcast cancel 1", SUPERVISORS)
    assert buttons(bot.api.get_message(SUPERVISORS, first["message_id"]) or {}) == []
    edited = await press(bot, confirmed[-1], 1)
    assert edited[-1]["text"].endswith("✖️ Cancelled by @alice: nothing was sent.")
    assert "No broadcasts are scheduled" in await bot.say(ALICE, "/broadcast list", SUPERVISORS)
    await advance(bot, clock, timedelta(hours=2))
    await bot.say(ALICE, "/broadcasts", SUPERVISORS)  # a round trip
    assert sent_to(bot, TEAM) == []


async def test_confirming_after_the_time_has_passed_is_refused(bot: Harness, clock: Any) -> None:
    await setup(bot, (TEAM, "team"))
    shown = await preview(bot, "/broadcast at=10:05 hurry")
    await advance(bot, clock, timedelta(minutes=6))
    await press(bot, shown, 1)
    assert "has passed" in last_answer(bot)["text"]
    assert buttons(bot.api.get_message(SUPERVISORS, shown["message_id"]) or {}) == ["Confirm ✅", "Cancel ✖️"]


async def test_a_429_delays_the_rest_and_every_chat_gets_it_once(bot: Harness, clock: Any) -> None:
    await setup(bot, (TEAM, "team"), (FINANCE, "finance"), (WAREHOUSE, "warehouse"))
    shown = await preview(bot, "/broadcast to=all stocktaking tonight")
    bot.api.fail("sendMessage", status=429, retry_after=3, times=1)
    await press(bot, shown, 1)
    await bot.api.wait_for("sendMessage", lambda call: call.status == 429)
    await bot.say(ALICE, "/broadcasts", SUPERVISORS)  # a round trip, so the bot has taken the 429 in
    await advance(bot, clock, timedelta(seconds=4))
    assert "delivered to 3 of 3" in await report(bot)
    for chat in (TEAM, FINANCE, WAREHOUSE):
        assert len(sent_to(bot, chat, "stocktaking")) == 1


async def test_chinese_chats_get_chinese_broadcasts(bot: Harness) -> None:
    await setup(bot, (TEAM, "team"))
    await bot.say(ALICE, "/lang zh", chat=SUPERVISORS)
    await bot.say(ALICE, "/lang zh", chat=TEAM)
    shown = await preview(bot, "/broadcast 发给=团队 置顶 静音 今天下午三点开会")
    assert shown["text"].startswith("📣 广播 #1：预览")
    assert buttons(shown) == ["确认 ✅", "取消 ✖️"]
    await press(bot, shown, 1)
    delivered = await posted(bot, TEAM, "今天下午三点开会")
    assert delivered.params["text"] == "📣 来自 @alice：\n今天下午三点开会"
    assert buttons(delivered.result) == ["收到 👍"]
    assert (
        "📣 广播 #1 已送达 1/1 个群" in (await posted(bot, SUPERVISORS, "📣 广播 #1 已送达")).params["text"]
    )
    reply = await bot.say(ALICE, "/broadcast 发给=月亮 你好", SUPERVISORS)
    assert "未知的发送对象" in reply


async def test_restart_sends_a_scheduled_broadcast_once(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await setup(first, (TEAM, "team"), (FINANCE, "finance"))
            shown = await preview(first, "/broadcast to=all at=10:30 Fire drill at 11:00")
            await press(first, shown, 1)
            early = await preview(first, "/broadcast at=10:20 Early shift ends")
            await press(first, early, 1)
        traveller.shift(timedelta(minutes=15))  # down from 10:00 to 10:15
        async with Harness.running(db_url) as second:
            listed = await second.say(ALICE, "/broadcasts", SUPERVISORS)
            assert "#1 · Mon 23 Nov 10:30" in listed and "#2 · Mon 23 Nov 10:20" in listed
            await advance(second, traveller, timedelta(minutes=5))
            await posted(second, TEAM, "Early shift ends")
            await report(second)
        traveller.shift(timedelta(minutes=16))  # down from 10:20 to 10:36: 6 min late, within the grace
        async with Harness.running(db_url) as third:
            await posted(third, TEAM, "Fire drill")
            await posted(third, FINANCE, "Fire drill")
            text = str((await posted(third, SUPERVISORS, "📣 Broadcast #1 delivered")).params["text"])
            assert "(late by 6 min: I was offline)" in text and "2 of 2" in text
            assert sent_to(third, TEAM, "Early shift") == []
        async with Harness.running(db_url) as fourth:
            await fourth.say(ALICE, "/broadcasts", SUPERVISORS)
            assert sent_to(fourth, TEAM) == sent_to(fourth, FINANCE) == []


async def test_a_broadcast_due_long_before_a_restart_is_reported_missed_not_sent(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await setup(first, (TEAM, "team"))
            shown = await preview(first, "/broadcast at=10:05 Doors open")
            await press(first, shown, 1)
        traveller.shift(timedelta(minutes=30))  # down from 10:00 to 10:30: 25 min late, beyond the grace
        async with Harness.running(db_url) as second:
            summary = await posted(second, SUPERVISORS, "While I was offline, 1 alarm was missed")
            assert "Mon 23 Nov 10:05" in summary.params["text"] and "📣 Doors open" in summary.params["text"]
            assert "No broadcasts are scheduled" in await second.say(ALICE, "/broadcasts", SUPERVISORS)
            assert "has not gone out (missed: I was offline at its time)" in await second.say(
                ALICE, "/acks 1", SUPERVISORS
            )
            assert sent_to(second, TEAM) == []
