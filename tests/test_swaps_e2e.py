"""Shift swaps end to end: the other person, then a supervisor; declines, the timeout, bad requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from bot.models import AuditEntry, RosterShift, SwapRequest
from tests.harness import ALICE, BOB, CAROL, DAVE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import START, advance, posted, texts


async def roster_of(bot: Harness) -> None:
    """Bob works days, Carol nights; a supervisors' chat is registered."""
    await bot.introduce(BOB, CAROL, DAVE)
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol aftersale")
    await bot.say(ALICE, "/roster set @bob 11-25..11-26 day")
    await bot.say(ALICE, "/roster set @carol 11-25..11-27 night")


async def shifts_of(person: int) -> list[str]:
    """A person's roster as `MM-DD name`."""
    entries = await RosterShift.filter(person_id=person).prefetch_related("shift_type").order_by("day")
    return sorted(f"{entry.day:%m-%d} {entry.shift_type.name}" for entry in entries)


async def test_accepted_and_approved_swap_changes_the_roster(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    ask = await bot.send(BOB, "/swap @carol 11-26 11-27")
    text = ask[-1]["text"]
    assert "🔁 Swap #1: @carol takes @bob's day shift on Thu 26 Nov; " in text
    assert "@bob takes @carol's night shift on Fri 27 Nov." in text
    assert "@carol, do you agree? (open for 24 h)" in text
    await bot.press(BOB, TEAM, ask[-1]["message_id"], 1)
    answer = bot.api.calls_to("answerCallbackQuery")[-1]
    assert answer.params.get("text") == "Only the person asked can answer this."
    agreed = await bot.press(CAROL, TEAM, ask[-1]["message_id"], 1)
    assert "✅ @carol agreed; waiting for a supervisor." in agreed[0]["text"]
    question = await posted(bot, SUPERVISORS, "🔁 Swap #1:")
    assert "Both agreed. Approve it?" in question.params["text"]
    await bot.press(CAROL, SUPERVISORS, question.result["message_id"], 1)
    assert "needs the role" in str(bot.api.calls_to("answerCallbackQuery")[-1].params.get("text"))
    assert await shifts_of(BOB) == ["11-25 day", "11-26 day"]
    done = await bot.press(ALICE, SUPERVISORS, question.result["message_id"], 1)
    assert "✅ Approved by @alice: the roster is changed." in done[0]["text"]
    assert await shifts_of(BOB) == ["11-25 day", "11-27 night"]
    assert await shifts_of(CAROL) == ["11-25 night", "11-26 day", "11-26 night"]
    for person in (BOB, CAROL, ALICE):
        assert texts(
            bot, person, "✅ Swap #1 approved by @alice: @carol takes @bob's day shift on Thu 26 Nov"
        )
    actions = [e.action for e in await AuditEntry.filter(target="swap:1").order_by("id")]
    assert actions == ["swap.ask", "swap.accepted", "swap.approved"]


async def test_a_cover_without_a_day_in_return(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/roster off @carol 11-25")
    ask = await bot.send(BOB, "/swap @carol 11-25")
    assert "@carol takes @bob's day shift on Wed 25 Nov." in ask[-1]["text"]
    await bot.press(CAROL, TEAM, ask[-1]["message_id"], 1)
    question = await posted(bot, SUPERVISORS, "🔁 Swap #1:")
    await bot.press(ALICE, SUPERVISORS, question.result["message_id"], 1)
    assert await shifts_of(BOB) == ["11-26 day"]
    assert "11-25 day" in await shifts_of(CAROL)


async def test_the_other_person_declines(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    ask = await bot.send(BOB, "/swap @carol 11-26 11-27")
    declined = await bot.press(CAROL, TEAM, ask[-1]["message_id"], 2)
    assert "❌ Declined by @carol: the roster stays as it was." in declined[0]["text"]
    assert texts(bot, BOB, "❌ Swap #1 was declined by @carol")
    assert texts(bot, SUPERVISORS, "🔁") == []
    assert await shifts_of(BOB) == ["11-25 day", "11-26 day"]
    assert (await SwapRequest.get(id=1)).state == "declined"


async def test_the_supervisor_declines(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    ask = await bot.send(BOB, "/swap @carol 11-26 11-27")
    await bot.press(CAROL, TEAM, ask[-1]["message_id"], 1)
    question = await posted(bot, SUPERVISORS, "🔁 Swap #1:")
    await bot.press(ALICE, SUPERVISORS, question.result["message_id"], 2)
    assert texts(bot, CAROL, "❌ Swap #1 was declined by @alice")
    assert await shifts_of(BOB) == ["11-25 day", "11-26 day"]


async def test_an_undecided_swap_expires_after_a_day(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    ask = await bot.send(BOB, "/swap @carol 11-26 11-27")
    await advance(bot, clock, timedelta(hours=23, minutes=59))
    assert texts(bot, TEAM, "⌛") == []
    await advance(bot, clock, timedelta(minutes=1))
    await posted(bot, TEAM, "⌛ Swap #1 expired: it was not decided within 24 h. The roster stays as it was.")
    await bot.press(CAROL, TEAM, ask[-1]["message_id"], 1)
    assert bot.api.calls_to("answerCallbackQuery")[-1].params.get("text") == "Already handled."
    assert await shifts_of(BOB) == ["11-25 day", "11-26 day"]
    assert await AuditEntry.exists(action="swap.expired", target="swap:1")


async def test_a_swap_expires_even_when_the_bot_was_down_at_its_deadline(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await roster_of(first)
            await first.send(BOB, "/swap @carol 11-26 11-27")
        traveller.shift(timedelta(hours=30))  # down for 6 hours past the deadline
        async with Harness.running(db_url) as second:
            await posted(second, TEAM, "⌛ Swap #1 expired")
            assert "missed" not in " ".join(texts(second, TEAM, "While I was offline"))
            assert await shifts_of(BOB) == ["11-25 day", "11-26 day"]


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/swap @bob 11-26", "You cannot swap with yourself"),
        ("/swap @carol 11-24", "@bob is not on the roster on 2026-11-24"),
        ("/swap @carol 11-26 11-28", "@carol is not on the roster on 2026-11-28"),
        ("/swap @nobody 11-26", "I haven't seen @nobody yet"),
        ("/swap @carol 11-20", "is past"),
        ("/swap @carol", "Say with whom and which day"),
        ("/swap @carol 11-25", "which overlaps"),  # Carol already works the night: no
    ],
)
async def test_bad_swaps_are_explained_and_nothing_is_asked(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/shifttype night 17:00-24:00")
    reply = await bot.say(BOB, command)
    assert problem in reply and "Usage:" in reply
    assert await SwapRequest.all().count() == 0


async def test_one_open_request_per_day(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(BOB, "/swap @carol 11-26 11-27")
    assert "already asked for a swap on 2026-11-26" in await bot.say(BOB, "/swap @carol 11-26")


async def test_chinese_swap(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/lang zh")
    reply = await bot.say(BOB, "/swap @carol 11月26日 11月27日")
    assert "🔁 换班 #1：@carol 接 @bob 11月26日 周四 的白班；@bob 接 @carol 11月27日 周五 的晚班。" in reply
