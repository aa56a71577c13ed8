"""Shift postings end to end with a controlled clock: reminders, shift start with the handover book, the
warehouse's morning list, the end-of-shift prompt, exactly once across retries and restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from bot import db
from bot.models import Delivery, HandoverItem, Occurrence, Schedule
from tests.harness import ALICE, BOB, CAROL, DAVE, TEAM, WAREHOUSE, Harness
from tests.shop_clock import START, advance, advance_to, posted, register, texts


def local(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """A wall time in Shanghai on a November 2026 day, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def settled() -> None:
    """Wait until every schedule that fell due has posted and moved on."""
    for _ in range(250):
        if not await Schedule.filter(state="active", next_due_at__lte=datetime.now(UTC)).exists():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("schedules still due")


async def roster_of(bot: Harness) -> None:
    """Team and warehouse chats, Bob on days, Carol on the night shift."""
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/setup team")
    await register(bot, "warehouse", WAREHOUSE)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol aftersale")
    await bot.say(ALICE, "/roster set @bob 11-23..11-24 day")
    await bot.say(ALICE, "/roster set @carol 11-23 night")


async def test_a_day_and_a_night_of_postings(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(BOB, "/handover #urgent #call tb_lee refund promised before 20:00")
    await bot.say(BOB, "/handover #warehouse order 123456789012345678 missing a cup")
    await advance_to(bot, clock, local(18))
    end = await posted(bot, TEAM, "🕕 The day shift ends at 18:00. @bob: write what the next shift must know")
    assert "Open items: 2." in end.params["text"]
    await advance_to(bot, clock, local(18, 30))
    await posted(bot, CAROL, "⏰ Your night shift starts at 19:00 (in 30 min).")
    assert texts(bot, BOB, "⏰ Your") == []
    await advance_to(bot, clock, local(19))
    await posted(bot, TEAM, "🕘 The night shift (19:00–24:00) starts: @carol.")
    book = await posted(bot, TEAM, "📒 Handover for the night shift: 2 open.")
    assert "🔴 #1 refund promised before 20:00 · 📞 call tb_lee" in book.params["text"]
    assert "carried" not in book.params["text"]
    assert texts(bot, WAREHOUSE, "🏭") == []  # the warehouse hears in the morning
    buttons = [b["text"] for row in book.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["✅ #1", "✅ #2"]
    edited = await bot.press(CAROL, TEAM, book.result["message_id"], 1)
    assert "✅ #1 done by @carol." in edited[-1]["text"]
    assert [b["text"] for row in edited[-1]["reply_markup"]["inline_keyboard"] for b in row] == ["✅ #2"]
    await advance_to(bot, clock, local(0, 0, day=24))
    await posted(bot, TEAM, "🕕 The night shift ends at 24:00. @carol")
    await advance_to(bot, clock, local(8, 30, day=24))
    await posted(bot, BOB, "⏰ Your day shift starts at 09:00 (in 30 min).")
    await advance_to(bot, clock, local(9, 0, day=24))
    morning = await posted(bot, TEAM, "📒 Handover for the day shift: 1 open.")
    assert "🏭 #2 order 123456789012345678 missing a cup · ↪ carried over" in morning.params["text"]
    warehouse = await posted(bot, WAREHOUSE, "🏭 For the warehouse, from the handover book: 1 open.")
    assert "#2 order" in warehouse.params["text"]
    done = await bot.press(ALICE, WAREHOUSE, warehouse.result["message_id"], 1)
    assert "✅ #2 done by @alice." in done[-1]["text"]
    await bot.press(ALICE, TEAM, book.result["message_id"], 1)  # the night's list still shows ✅ #2
    answer = bot.api.calls_to("answerCallbackQuery")[-1]
    assert answer.params.get("text") == "Already handled."
    assert "The handover book is empty" in await bot.say(ALICE, "/handover")


async def test_a_shift_starts_with_the_open_deadline_watches(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(BOB, "/refund 123456789012345678 12.5 damaged insured=yes tracking=YT1234567890")
    await bot.say(BOB, "/presale 223456789012345678 days=5 蓝色连衣裙")
    await advance_to(bot, clock, local(19))
    watched = await posted(bot, TEAM, "⏳ Open deadline watches: 2.")
    assert "• R-1: insurance countdown ends Wed 2 Dec 10:00" in watched.params["text"]
    assert "• pre-sale order 223456789012345678: ship by Sat 28 Nov" in watched.params["text"]
    await bot.say(BOB, "/presale done 223456789012345678")
    mark = len(bot.api.calls)
    await advance_to(bot, clock, local(9, 0, day=24))
    await posted(bot, TEAM, "⏳ Open deadline watches: 1.", after=mark)
    assert len(texts(bot, TEAM, "⏳ Open deadline watches")) == 2


async def test_roster_changes_take_effect_without_new_schedules(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    count = await Schedule.filter(kind="shift").count()
    assert count == 6  # day: winter and summer, start and end; night: start and end
    await bot.introduce(DAVE)
    await bot.say(ALICE, "/role 104 aftersale")
    await bot.say(ALICE, "/roster set 104 11-23 night")
    await bot.say(ALICE, "/roster off @carol 11-23")
    await advance_to(bot, clock, local(19))
    await posted(bot, TEAM, "🕘 The night shift (19:00–24:00) starts: Dave.")
    assert texts(bot, CAROL, "⏰") == []
    assert await Schedule.filter(kind="shift").count() == count


async def test_nobody_rostered_means_nothing_posted(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/roster off @carol 11-23")
    await advance_to(bot, clock, local(19, 30))
    await settled()
    assert texts(bot, TEAM, "🕘 The night shift") == []
    assert await Occurrence.filter(kind="alarm", due_at=local(19), state="sent").exists()


async def test_summer_schedules_post_nothing_in_winter(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await advance_to(bot, clock, local(9, 30, day=24))
    await settled()
    assert len(texts(bot, TEAM, "🕘 The day shift (09:00–18:00) starts: @bob.")) == 1
    assert texts(bot, TEAM, "09:30–18:30") == []


async def test_changed_hours_move_the_postings(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/shifttype night 20:00-24:00 remind=10")
    await advance_to(bot, clock, local(19, 45))
    assert texts(bot, CAROL, "⏰") == []
    await advance_to(bot, clock, local(19, 50))
    await posted(bot, CAROL, "⏰ Your night shift starts at 20:00 (in 10 min).")
    await advance_to(bot, clock, local(20))
    await posted(bot, TEAM, "🕘 The night shift (20:00–24:00) starts: @carol.")
    assert len(texts(bot, TEAM, "🕘 The night shift")) == 1


async def test_a_failed_send_is_retried_once_telegram_is_back(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(BOB, "/handover call the courier about the lost parcel")
    await advance_to(bot, clock, local(18, 59))
    mark = len(bot.api.calls)
    bot.api.fail("sendMessage", status=502, times=1)
    await advance_to(bot, clock, local(19))
    await bot.api.wait_for("sendMessage", lambda call: call.status == 502, after=mark)
    await bot.say(ALICE, "/today")  # a round trip, so the bot has taken the failure in
    assert texts(bot, TEAM, "🕘 The night shift") == []
    await advance(bot, clock, timedelta(seconds=30))
    await posted(bot, TEAM, "📒 Handover for the night shift: 1 open.", after=mark)
    await advance(bot, clock, timedelta(minutes=5))
    await bot.say(ALICE, "/today")
    assert len(texts(bot, TEAM, "🕘 The night shift")) == 1
    assert len(texts(bot, TEAM, "📒 Handover")) == 1


async def test_restart_sends_only_what_had_not_gone_out(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await roster_of(first)
            await first.say(BOB, "/handover call the courier about the lost parcel")
            await advance_to(first, traveller, local(19))
            await posted(first, TEAM, "📒 Handover for the night shift: 1 open.")
            await posted(first, TEAM, "🕘 The night shift (19:00–24:00) starts: @carol.")
        # as if the bot died after posting the summary and before posting the handover list
        await db.open_db(db_url)
        occurrence = await Occurrence.get(kind="alarm", state="sent", due_at=local(19))
        await Delivery.filter(occurrence_id=occurrence.id, part="handover").update(state="sending")
        await Occurrence.filter(id=occurrence.id).update(state="sending")
        await HandoverItem.all().update(first_posted_at=None)
        await db.close_db()
        traveller.move_to(local(19, 2))
        async with Harness.running(db_url) as second:
            await posted(second, TEAM, "📒 Handover for the night shift: 1 open.")
            await second.say(ALICE, "/today")
            assert texts(second, TEAM, "🕘 The") == []
        traveller.move_to(local(19, 5))
        async with Harness.running(db_url) as third:
            await third.say(ALICE, "/today")
            assert texts(third, TEAM, "📒") == [] and texts(third, TEAM, "🕘 The") == []
            assert texts(third, CAROL, "⏰") == []


async def test_postings_missed_while_down_are_listed_by_shift_only_when_they_would_have_said_something(
    db_url: str,
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await roster_of(first)
        traveller.move_to(local(20))  # down from 10:00 to 20:00: the day shift's end and the night's start
        async with Harness.running(db_url) as second:
            summary = await posted(second, TEAM, "While I was offline, 2 alarms were missed:")
            listed = summary.params["text"].splitlines()[1:]
            # neither the summer schedules nor the night's own reminder: they would have said nothing
            assert [line.split(" ", 5)[5] for line in listed] == [  # "• Mon 23 Nov 18:00 <what>"
                "end of the day shift (09:00–18:00)",
                "start of the night shift (19:00–24:00)",
            ]


async def test_chinese_team_chat(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/lang zh")
    await advance_to(bot, clock, local(19))
    await posted(bot, TEAM, "🕘 晚班（19:00–24:00）开始：@carol。")
