"""Quick replies (话术库): supervisors keep approved phrases, agents find them by words and get the text in
private; Chinese is found without spaces; the book travels as xlsx, imported all or nothing."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from bot.models import AuditEntry, Phrase
from tests.harness import ALICE, BOB, TEAM, Harness
from tests.shop_clock import agents, buttons, last_answer, workbook

SHIPPING = "亲，已经为您催促仓库尽快发货，今天之内一定发出，请您放心。"
REFUND = "亲，退款已经为您处理，预计24小时内原路退回。"
SORRY = "We are very sorry for the trouble. I will make it right for you today."


async def book_of(bot: Harness) -> None:
    """Alice (a manager) adds three phrases; Bob and Carol are agents."""
    await agents(bot)
    for line in (
        f"/phrase add 催发货 发货提醒 | {SHIPPING}",
        f"/phrase add 退款 退款进度 | {REFUND}",
        f"/phrase add soothing Apology | {SORRY}",
    ):
        assert "✅ Phrase added: #" in await bot.say(ALICE, line)


async def test_an_agent_finds_a_reply_without_spaces_and_gets_it_privately(bot: Harness, clock: Any) -> None:
    await book_of(bot)
    [found] = await bot.send(BOB, "/phrase 仓库发货")
    lines = found["text"].splitlines()
    assert lines[0] == "🔎 Quick replies for “仓库发货”:"
    assert lines[2] == "#1 · shipping urgency · 发货提醒"  # best first; the preview follows
    assert buttons(found)[0] == "📋 #1 to me"
    await bot.press(BOB, TEAM, found["message_id"], 1)
    assert [m["text"] for m in bot.api.sent(BOB)] == [SHIPPING]  # the full text alone, ready to copy
    assert last_answer(bot)["text"] == "📋 Sent to you privately: #1."


async def test_search_in_both_languages_ranks_by_words(bot: Harness, clock: Any) -> None:
    await book_of(bot)
    assert "#2 · refund · 退款进度" in (await bot.say(BOB, "/phrase 退款多久到账"))
    english = await bot.say(BOB, "/phrase sorry trouble")
    assert "#3 · soothing · Apology" in english and "#1" not in english
    assert "#1 · shipping urgency" in await bot.say(BOB, "/phrase 催发货")  # the category's own words find it
    assert "No approved reply matches “快递丢件”." in await bot.say(BOB, "/phrase 快递丢件")
    await bot.say(ALICE, "/lang zh")
    zh = await bot.say(BOB, "/phrase 安抚")
    assert zh.startswith("🔎 “安抚”的快捷话术：") and "#3 · 安抚 · Apology" in zh


async def test_only_supervisors_keep_the_book_and_every_change_is_audited(bot: Harness, clock: Any) -> None:
    await book_of(bot)
    assert "Sorry, this needs the role: supervisor, manager." in await bot.say(BOB, "/phrase add 退款 x | y")
    changed = await bot.say(ALICE, "/phrase edit 2 退款 退款到账 | 亲，退款已原路退回，请查收。")
    assert changed == "✅ Phrase changed: #2 · refund · 退款到账"
    assert "#2" in await bot.say(BOB, "/phrase 原路退回")
    assert await bot.say(ALICE, "/phrase off 2") == "Phrase #2 is off: search no longer shows it."
    assert "#2" not in await bot.say(BOB, "/phrase 原路退回")
    assert "Phrase #2 is already off." in await bot.say(ALICE, "/phrase off 2")
    assert "Unknown category “misc”" in await bot.say(ALICE, "/phrase add misc title | text")
    assert "Give a category, a title and the text" in await bot.say(ALICE, "/phrase add 退款 no separator")
    actions = [e.action for e in await AuditEntry.filter(action__startswith="phrase.").order_by("id")]
    assert actions == ["phrase.add"] * 3 + ["phrase.edit", "phrase.off"]
    edit = await AuditEntry.get(action="phrase.edit")
    assert edit.actor_id == ALICE and edit.before["title"] == "退款进度"  # type: ignore[index]


async def test_export_then_import_changes_and_adds_all_or_nothing(bot: Harness, clock: Any) -> None:
    await book_of(bot)
    await bot.send(ALICE, "/phrase export")
    upload = bot.api.calls_to("sendDocument")[-1].params["document"]
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(upload["content"])).worksheets[0].iter_rows(values_only=True)
    ]
    assert rows[0] == ["id", "category", "title", "text", "language", "active"]
    assert rows[1] == [1, "shipping", "发货提醒", SHIPPING, "zh", "yes"]
    bad = workbook(
        [
            ["编号", "分类", "标题", "内容"],
            [1, "催发货", "发货提醒", "改过的"],
            ["", "杂项", "x", "y"],
            [99, "退款", "a", "b"],
        ]
    )
    reply = await bot.say(ALICE, None, document=("话术.xlsx", bad), caption="/phrase import")
    assert reply.splitlines() == [
        "Nothing was changed. Fix these rows and send the file again:",
        "• row 3: Unknown category “杂项”. Categories: shipping 催发货, address 改地址, refund 退款, "
        "damaged 破损, "
        "stock 缺货, soothing 安抚, review 邀评.",
        "• row 4: There is no phrase #99.",
    ]
    assert (await Phrase.get(id=1)).text == SHIPPING
    good = workbook(
        [
            ["编号", "分类", "标题", "内容", "启用"],
            [1, "催发货", "发货提醒", "亲，今天发出。", "是"],
            ["", "缺货", "缺货说明", "亲，这款暂时缺货。", ""],
            [3, "安抚", "Apology", SORRY, "否"],
        ]
    )
    reply = await bot.say(ALICE, None, document=("话术.xlsx", good), caption="/phrase import")
    assert reply == "✅ Phrases imported: 1 new, 2 changed."
    assert "#4 · out of stock · 缺货说明" in await bot.say(BOB, "/phrase 缺货")
    assert "#3" not in await bot.say(BOB, "/phrase sorry")
    assert "Sorry, this needs the role" in await bot.say(
        BOB, None, document=("p.xlsx", good), caption="/phrase import"
    )


async def test_a_press_for_someone_who_never_opened_a_private_chat(bot: Harness, clock: Any) -> None:
    await book_of(bot)
    [found] = await bot.send(BOB, "/phrase 发货")
    bot.api.block(BOB)
    await bot.press(BOB, TEAM, found["message_id"], 1)
    answer = last_answer(bot)
    assert answer["show_alert"] is True and "I cannot write to you privately yet" in answer["text"]
