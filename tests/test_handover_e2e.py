"""The handover book (交接记录) by command: tags, listing, bad input, the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from bot.models import AuditEntry, HandoverItem
from tests.harness import ALICE, BOB, Harness


async def test_items_with_tags_are_noted_and_listed_urgent_first(bot: Harness, clock: Any) -> None:
    assert "The handover book is empty" in await bot.say(ALICE, "/handover")
    reply = await bot.say(ALICE, "/handover #warehouse order 123456789012345678 missing a cup, resend")
    assert "📒 Noted for the next shift:\n🏭 #1 order 123456789012345678 missing a cup, resend" in reply
    reply = await bot.say(ALICE, "/handover #urgent #call tb_lee wants the refund before 10:00")
    assert "🔴 #2 wants the refund before 10:00 · 📞 call tb_lee" in reply
    listing = await bot.say(ALICE, "/handover")
    assert "📒 Open handover items (2):" in listing
    assert listing.index("#2 wants") < listing.index("#1 order")
    entry = await AuditEntry.filter(action="handover.add").order_by("id").first()
    assert entry is not None and entry.actor_id == ALICE and entry.target == "handover:1"


async def test_chinese_tags_without_spaces(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/handover #紧急#回电tb_wang 说少发了一件 #仓库")
    item = await HandoverItem.get(id=1)
    assert (item.urgent, item.warehouse, item.call_buyer, item.text) == (
        True,
        True,
        "tb_wang",
        "说少发了一件",
    )


async def test_chinese_chat(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/lang zh")
    assert "📒 已记下，交给下一班：" in await bot.say(ALICE, "/handover #回电 tb_lee 要求今天退款")
    assert "📞 回电 tb_lee" in await bot.say(ALICE, "/handover")
    assert "回电给谁" in await bot.say(ALICE, "/handover #回电")


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/handover #call", "Whom to call?"),
        ("/handover #urgent", "What should the next shift know?"),
        ("/handover " + "x" * 501, "keep it to 500"),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_stored(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    reply = await bot.say(ALICE, command)
    assert problem in reply and "Usage:" in reply
    assert await HandoverItem.all().count() == 0


async def test_people_without_a_role_cannot_write(bot: Harness, clock: Any) -> None:
    assert "needs a role" in await bot.say(BOB, "/handover hello")
    assert await HandoverItem.all().count() == 0
