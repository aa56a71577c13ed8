"""Deadline watches end to end with a controlled clock: refund-insurance countdown and pre-sale promises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.harness import ALICE, TEAM, Harness
from tests.shop_clock import advance, posted, texts

ORDER = "123456789012345678"


def posts(bot: Harness, needle: str) -> list[str]:
    """Texts of every message the bot posted to the team (later edits of it aside)."""
    sent = [str(call.params.get("text", "")) for call in bot.api.calls_to("sendMessage") if call.result]
    return [text for text in sent if needle in text]


async def test_insured_refund_alerts_five_days_before_and_daily_until_resolved(
    bot: Harness, clock: Any
) -> None:
    sent = await bot.send(
        ALICE,
        f"/refund {ORDER} 12.5 damaged insured=yes tracking=YT1234567890 buyer=tb_lee name=李雷 "
        "alipay=lee@163.com postage=shop",
    )
    assert "⏰ insurance countdown ends 2026-12-02 10:00" in sent[-1]["text"]
    await advance(bot, clock, timedelta(days=3, hours=23))  # the countdown ends 9 days after the tracking
    assert texts(bot, TEAM, "Insurance countdown") == []
    await advance(bot, clock, timedelta(hours=1))
    first = await posted(bot, TEAM, "Insurance countdown: R-1 has 5 days left")
    buttons = [b["text"] for row in first.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["→ sent to finance", "→ withdrawn by buyer"]
    await advance(bot, clock, timedelta(days=1))
    await posted(bot, TEAM, "R-1 has 4 days left")
    card = await bot.press(ALICE, TEAM, first.result["message_id"], 1)  # → sent to finance: still open
    assert "sent to finance by @alice" in card[-1]["text"]
    await advance(bot, clock, timedelta(days=1))
    second = await posted(bot, TEAM, "R-1 has 3 days left")
    await bot.press(ALICE, TEAM, second.result["message_id"], 2)  # rejected: the watch ends
    await advance(bot, clock, timedelta(days=3))
    await bot.say(ALICE, "/mine", chat=ALICE)
    assert len(posts(bot, "Insurance countdown")) == 3  # 5, 4 and 3 days left; none after the rejection


async def test_refund_without_insurance_or_tracking_is_not_watched(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, f"/refund {ORDER} 12.5 damaged insured=yes")
    await bot.say(ALICE, "/refund 223456789012345678 3 tracking=YT1234567890")
    await advance(bot, clock, timedelta(days=9))
    await bot.say(ALICE, "/mine", chat=ALICE)
    assert texts(bot, TEAM, "Insurance countdown") == []


async def test_tracking_added_later_by_edit_starts_the_watch(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, f"/refund {ORDER} 12.5 insured=有")
    assert "countdown ends 2026-12-02" in await bot.say(ALICE, "/edit R-1 单号=YT1234567890")
    await advance(bot, clock, timedelta(days=4))
    await posted(bot, TEAM, "R-1 has 5 days left")
    assert len(texts(bot, TEAM, "Insurance countdown")) == 1


async def test_presale_promise_alerts_two_days_before_and_on_the_day(bot: Harness, clock: Any) -> None:
    reply = await bot.say(ALICE, f"/presale {ORDER} days=5 蓝色连衣裙")
    assert (
        f"Watching order {ORDER}: must ship by Sat 28 Nov. First alert Thu 26 Nov 09:00 (in 3 days)." in reply
    )
    assert "ship by Sat 28 Nov (5 days left) 蓝色连衣裙" in await bot.say(ALICE, "/presales")
    await advance(bot, clock, timedelta(days=2, hours=23))  # 11-26 09:00
    await posted(bot, TEAM, f"Pre-sale order {ORDER} must ship by Sat 28 Nov: 2 days left")
    await advance(bot, clock, timedelta(days=1))
    await posted(bot, TEAM, "1 day left")
    await advance(bot, clock, timedelta(days=1))
    today = await posted(bot, TEAM, "must ship TODAY (Sat 28 Nov)")
    assert "蓝色连衣裙" in today.params["text"]
    await advance(bot, clock, timedelta(days=3))
    await bot.say(ALICE, "/presales")
    assert len(texts(bot, TEAM, "Pre-sale order")) == 3


async def test_alarms_lists_the_watches_by_what_they_watch(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, f"/refund {ORDER} 12.5 damaged insured=yes tracking=YT1234567890")
    await bot.say(ALICE, "/presale 223456789012345678 days=5 蓝色连衣裙")
    listing = await bot.say(ALICE, "/alarms")
    assert "insurance countdown of R-1" in listing
    assert "pre-sale promise for order 223456789012345678 蓝色连衣裙" in listing


async def test_presale_done_ends_the_watch(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, f"/presale {ORDER} by=2026-11-26")
    assert "shipped: its promise watch is closed" in await bot.say(ALICE, f"/presale done {ORDER}")
    assert "No open pre-sale promises" in await bot.say(ALICE, "/presales")
    await advance(bot, clock, timedelta(days=4))
    await bot.say(ALICE, "/presales")
    assert texts(bot, TEAM, "Pre-sale order") == []


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/presale", "Which order?"),
        ("/presale 12345 days=3", "should be 15–20 digits"),
        (f"/presale {ORDER} days=abc", "Days “abc” should be a whole number"),
        (f"/presale {ORDER} by=2026-11-20", "is not after today"),
        (f"/presale {ORDER} by=2026-13-40", "is not a date"),
        (f"/presale done {ORDER}", "No open pre-sale promise"),
    ],
)
async def test_bad_presale_input_is_explained(bot: Harness, clock: Any, command: str, problem: str) -> None:
    reply = await bot.say(ALICE, command)
    assert problem in reply and "Usage:" in reply
    assert "No open pre-sale promises" in await bot.say(ALICE, "/presales")


async def test_the_same_order_is_not_watched_twice(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, f"/presale {ORDER}")
    assert "already watched" in await bot.say(ALICE, f"/presale {ORDER} days=3")
