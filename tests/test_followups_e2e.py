"""Follow-ups (回访) end to end: opened in a group (phone masked), the owner's private morning list with its
buttons, the phone stage after a week, the supervisors told once of one past its deadline, a bad review
after it marked in /review stats, the silent-customer rota, and a missed morning after downtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from bot.fakeapi.server import ApiCall
from bot.models import AuditEntry, FollowUp
from bot.services.followups import book
from tests.harness import ALICE, BOB, CAROL, DAVE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import START, advance_to, buttons, last_answer, posted, texts

ORDER, OTHER, THIRD = "123456789012345678", "223456789012345678", "323456789012345678"
PHONE = "13812345678"


def local(hour: int, day: int, minute: int = 0) -> datetime:
    """A wall time in Shanghai on a November/December 2026 day (day 31 = 1 December …), as UTC."""
    return datetime(2026, 11, 1, hour, minute, tzinfo=UTC) + timedelta(days=day - 1, hours=-8)


async def mornings(bot: Harness, clock: Any, first: int, last: int, owner: int) -> list[ApiCall]:
    """Each morning from day `first` to `last` at 09:00, waiting for `owner`'s list; the lists."""
    lists = []
    for day in range(first, last + 1):
        mark = len(bot.api.calls)
        await advance_to(bot, clock, local(9, day))
        lists.append(await posted(bot, owner, "📋 Your follow-ups today:", after=mark))
    return lists


async def team(bot: Harness) -> None:
    """Bob and Carol are after-sales agents; the supervisors' chat is registered."""
    await bot.introduce(BOB, CAROL, DAVE)
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol aftersale")


async def test_a_follow_up_turns_into_a_phone_call(bot: Harness, clock: Any) -> None:
    await team(bot)
    said = await bot.say(BOB, f"/followup {ORDER} tb_lee {PHONE} asked about the size")
    assert f"✅ Follow-up #1: order {ORDER}, buyer tb_lee, phone 138****5678. Owner @bob;" in said
    assert "It is on @bob's private list every morning." in said
    await advance_to(bot, clock, local(9, 24))
    morning = await posted(bot, BOB, "📋 Your follow-ups today: 1.")
    text = morning.params["text"]
    assert f"#1 order {ORDER} · buyer tb_lee · day 2 · 💬 on the platform chat" in text
    assert buttons(morning) == ["✅ #1", "📞 Called #1", "🔕 No answer #1"]
    await bot.press(BOB, BOB, morning.result["message_id"], 3)
    assert last_answer(bot)["text"] == "🔕 #1: no answer noted (1 try). It stays on your list."
    assert bot.api.get_message(BOB, morning.result["message_id"]).get("reply_markup") is None  # type: ignore[union-attr]
    *earlier, call_now = await mornings(bot, clock, 25, 30, BOB)  # a week on: the phone stage, in private
    assert "day 8" in call_now.params["text"] and "late" not in call_now.params["text"]
    assert f"📞 call now: {PHONE}" in call_now.params["text"] and "1 try" in call_now.params["text"]
    await bot.press(CAROL, BOB, call_now.result["message_id"], 2)
    assert (
        last_answer(bot)["text"]
        == "Sorry, only its owner or someone with the role supervisor, manager can do this."
    )
    await bot.press(BOB, BOB, call_now.result["message_id"], 2)
    assert last_answer(bot)["text"] == "📞 #1: call noted at 09:00."
    await bot.press(BOB, BOB, earlier[-1].result["message_id"], 1)  # yesterday's list: already answered
    assert last_answer(bot)["text"] == "Already handled."
    found = await FollowUp.get(id=1)
    assert found.state == "done" and found.called_at == local(9, 30) and found.attempts == 2
    actions = [e.action for e in await AuditEntry.filter(target="followup:1").order_by("id")]
    assert actions == ["followup.open", "followup.noanswer", "followup.called"]
    await advance_to(bot, clock, local(9, 31))
    await bot.say(ALICE, "/today")
    assert len(texts(bot, BOB, "📋 Your follow-ups today")) == 7  # one each morning; nothing open now


async def test_overdue_is_flagged_once_and_a_bad_review_after_it_is_marked(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await team(first)
            await first.say(ALICE, f"/followup {ORDER} tb_lee {PHONE} @carol")
            await first.say(BOB, f"/followup {OTHER} tb_wu")
        traveller.move_to(local(9, 34, 2))  # down for 11 days: both past their ten-day deadline
        async with Harness.running(db_url) as bot:
            flag = await posted(bot, SUPERVISORS, "⚠️ 2 follow-ups are past their deadline:")
            assert "owner @carol" in flag.params["text"] and "📞 call now: 138****5678" in flag.params["text"]
            await posted(bot, CAROL, "⚠️ past its deadline")
            await mornings(bot, traveller, 35, 35, BOB)
            assert len(texts(bot, SUPERVISORS, "past their deadline")) == 1
            await bot.say(BOB, f"/review {ORDER} tb_lee negative")
            await bot.say(BOB, f"/review {THIRD} tb_zhao medium")
            stats = await bot.say(ALICE, "/review stats")
            assert "⚠️ After an overdue follow-up: 1" in stats
            assert f"• N-1 · order {ORDER} · follow-up of @carol" in stats
            month = await book.overdue_followup_orders(local(0, 31) - timedelta(days=30), local(0, 40))
            assert [(m.review, m.owner_id) for m in month] == [("N-1", CAROL)]


async def test_silent_customers_are_shared_out_by_the_weekly_rota(bot: Harness, clock: Any) -> None:
    await team(bot)
    refused = await bot.say(BOB, "/followup rota @bob @carol")
    assert "needs the role" in refused
    assert "a supervisor sets the rota" in await bot.say(BOB, f"/followup {ORDER} tb_lee silent")
    said = await bot.say(ALICE, "/followup rota @bob @carol")
    assert "✅ Silent customers rota set: 2 members, turning every week." in said
    assert "This week, in order: @bob, @carol." in said
    assert "Owner @bob;" in await bot.say(ALICE, f"/followup {ORDER} tb_lee silent")
    assert "Owner @carol;" in await bot.say(ALICE, f"/followup {OTHER} tb_wu 静默")
    await advance_to(bot, clock, local(10, 30))  # a week on, the order turns
    assert "This week, in order: @carol, @bob." in await bot.say(BOB, "/followup rota")
    assert "Owner @carol;" in await bot.say(ALICE, f"/followup {THIRD} tb_zhao silent")
    assert await FollowUp.filter(silent=True).values_list("owner_id", flat=True) == [BOB, CAROL, CAROL]
    assert "already has an open follow-up" in await bot.say(ALICE, f"/followup {ORDER} tb_lee")


async def test_lists_are_masked_in_groups_and_chinese_works(bot: Harness, clock: Any) -> None:
    await team(bot)
    await bot.say(ALICE, "/lang zh")
    said = await bot.say(BOB, f"/followup {ORDER} tb_lee {PHONE}")
    assert "✅ 回访 #1" in said and "138****5678" in said
    deleted = [call.params for call in bot.api.calls_to("deleteMessage")]
    assert [int(params["chat_id"]) for params in deleted] == [TEAM]  # bob's message with the phone is gone
    await bot.say(BOB, "/lang zh", chat=BOB)
    await advance_to(bot, clock, local(10, 30))
    listed = await bot.say(BOB, "/followup 列表", chat=BOB)
    assert f"📞 现在打电话：{PHONE}" in listed
    assert "📞 现在打电话：138****5678" in await bot.say(BOB, "/followup")
    assert "抱歉，这需要以下角色之一：主管、经理。" in await bot.say(CAROL, "/followup list @bob")


async def test_a_morning_missed_while_down_is_reported_once(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await team(first)
            await first.say(BOB, f"/followup {ORDER} tb_lee")
        traveller.move_to(local(12, 24))  # down over Tuesday's 09:00
        async with Harness.running(db_url) as second:
            summary = await posted(second, TEAM, "While I was offline, 1 alarm was missed:")
            assert "morning follow-up lists (1 open)" in summary.params["text"]
            assert texts(second, BOB, "📋") == []
        traveller.move_to(local(9, 25, 5))  # back in the grace window the next morning: posted late, once
        async with Harness.running(db_url) as third:
            late = await posted(third, BOB, "📋 Your follow-ups today: 1.")
            assert "late by 5 min" in late.params["text"]
        async with Harness.running(db_url) as fourth:
            await fourth.say(ALICE, "/today")
            assert texts(fourth, BOB, "📋") == []
