"""Fines and rewards end to end: told privately, appealed once, decided by a manager, named rules, /ledger,
the posting on the 1st (team: totals, finance: a file) and the missed one after downtime."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from bot.models import AuditEntry, LedgerEntry
from bot.services.errors import UserError
from bot.services.ledger import book
from tests.harness import ALICE, BOB, CAROL, FINANCE, TEAM, Harness
from tests.shop_clock import START, advance_to, buttons, posted, register, texts

FIRST_OF_DECEMBER = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
"""09:00 on 1 December in Asia/Shanghai: November's ledger is posted."""


async def team_of(bot: Harness) -> None:
    """Alice is the manager (owner), Carol a supervisor, Bob an after-sales agent."""
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol supervisor")


def private(bot: Harness, person: int, needle: str) -> list[dict[str, Any]]:
    """What the bot sent a person privately containing `needle`."""
    return [m for m in bot.api.sent(person) if needle in m.get("text", "")]


async def test_a_fine_is_told_privately_appealed_once_and_cancelled_by_the_manager(
    bot: Harness, clock: Any
) -> None:
    await team_of(bot)
    said = await bot.say(CAROL, "/fine @bob 50 ended a chat early to go home")
    assert "💸 Fine #1 for @bob: ¥50.00, ended a chat early to go home." in said
    news = private(bot, BOB, "💸 You were fined ¥50.00 by @carol: ended a chat early to go home (entry #1).")
    assert news and "/appeal 1 <why>" in news[0]["text"]
    appealed = await bot.say(BOB, "/appeal 1 the buyer had left, I logged it", chat=BOB)
    assert "📨 Your appeal against fine #1 went to the managers." in appealed
    question = private(bot, ALICE, "⚖️ Appeal against fine #1:")[-1]
    assert "Why: the buyer had left, I logged it" in question["text"]
    assert "Written by @carol." in question["text"]
    assert buttons(question) == ["Keep the fine ✅", "Cancel the fine ↩️"]
    again = await bot.say(BOB, "/appeal 1 please", chat=BOB)
    assert "You already appealed against fine #1: a fine is appealed once." in again
    done = await bot.press(ALICE, ALICE, question["message_id"], 2)
    assert any("↩️ Cancelled by @alice: the fine no longer counts." in m.get("text", "") for m in done)
    assert private(bot, BOB, "⚖️ Fine #1 was cancelled on appeal by @alice: it no longer counts.")
    assert private(bot, CAROL, "⚖️ Fine #1 was cancelled on appeal by @alice")
    edited = bot.api.calls_to("editMessageText")[-1].params
    assert int(edited["chat_id"]) == ALICE and not edited.get("reply_markup")
    assert "— cancelled on appeal by @alice" in edited["text"]
    entry = await LedgerEntry.get(id=1)
    assert entry.cancelled_by_id == ALICE and entry.cancel_reason == "the buyer had left, I logged it"
    ledger = await bot.say(CAROL, "/ledger")
    assert "cancelled on appeal by @alice" in ledger
    assert "@bob: fines ¥0.00 (0), rewards ¥0.00 (0)" in ledger
    actions = [e.action for e in await AuditEntry.filter(target="ledger:1").order_by("id")]
    assert actions == ["ledger.fine", "ledger.appeal", "ledger.appeal.cancelled"]


async def test_only_a_manager_decides_and_a_kept_fine_stands(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    await bot.say(ALICE, "/fine @carol 30 changed a price without asking")
    await bot.say(CAROL, "/fine @bob 10 private chat at work")
    await bot.say(ALICE, "/reward @bob 100 turned round a negative review")
    assert "Only fines can be appealed." in await bot.say(BOB, "/appeal 3 why not", chat=BOB)
    assert "You have no fine #1." in await bot.say(BOB, "/appeal 1 not mine", chat=BOB)
    assert "Say why" in await bot.say(BOB, "/appeal 2", chat=BOB)
    await bot.say(BOB, "/appeal 2 I was answering a buyer", chat=BOB)
    question = private(bot, ALICE, "⚖️ Appeal against fine #2:")[-1]
    await bot.press(CAROL, ALICE, question["message_id"], 2)
    assert (await LedgerEntry.get(id=2)).cancelled_at is None
    kept = await bot.press(ALICE, ALICE, question["message_id"], 1)
    assert any("✅ Kept by @alice: the fine stands." in m.get("text", "") for m in kept)
    assert private(bot, BOB, "⚖️ The appeal against fine #2 was turned down by @alice: the fine stands.")
    # the manager's own fine: nobody decides an appeal about themselves, and it does not reach them
    await bot.say(ALICE, "/role @carol manager")
    await bot.say(CAROL, "/fine @alice 30 forgot the price rule")
    await bot.say(ALICE, "/appeal 4 I asked the owner first", chat=ALICE)
    assert not private(bot, ALICE, "⚖️ Appeal against fine #4:")
    to_carol = private(bot, CAROL, "⚖️ Appeal against fine #4:")[-1]
    await bot.press(ALICE, CAROL, to_carol["message_id"], 2)
    assert (await LedgerEntry.get(id=4)).cancelled_at is None
    ledger = await bot.say(ALICE, "/ledger")
    assert "@bob: fines ¥10.00 (1), rewards ¥100.00 (1)" in ledger
    assert "appeal turned down" in ledger


async def test_named_rules_escalate_within_the_month(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    saved = await bot.say(CAROL, "/fine rule private-chat 10,50 private chat at work")
    assert "📏 Rule saved: private-chat: ¥10.00, then ¥50.00 — private chat at work" in saved
    await bot.say(CAROL, "/fine rule followup-missed 100 unreturned follow-up became a bad review")
    await bot.say(CAROL, "/reward rule suggestion 300 an adopted suggestion")
    first = await bot.say(CAROL, "/fine @bob private-chat")
    assert "💸 Fine #1 for @bob: ¥10.00, private chat at work." in first
    second = await bot.say(CAROL, "/fine @bob private-chat on the phone at 15:00")
    assert "¥50.00, private chat at work — on the phone at 15:00." in second
    assert "Rule private-chat, time 2 this month." in second
    third = await bot.say(CAROL, "/fine @bob private-chat")
    assert "¥50.00" in third and "time 3 this month" in third
    assert "¥100.00" in await bot.say(CAROL, "/fine @bob followup-missed")
    assert "¥300.00" in await bot.say(ALICE, "/reward @bob suggestion")
    assert "No rule is named “suggestion”. Rules: followup-missed, private-chat." in await bot.say(
        CAROL, "/fine @bob suggestion"
    )
    listed = await bot.say(CAROL, "/fine rules")
    assert "📏 Fines by rule:" in listed and "• followup-missed: ¥100.00" in listed
    assert "Rule private-chat is off" in await bot.say(CAROL, "/fine rule off private-chat")
    assert "No rule is named “private-chat”" in await bot.say(CAROL, "/fine @bob private-chat")
    assert "cannot name a rule" in await bot.say(CAROL, "/fine rule 50 50 fifty")
    assert "needs the role" in await bot.say(BOB, "/fine rule nap 5 napping")
    entries = await LedgerEntry.filter(person_id=BOB).order_by("id")
    assert [(e.rule, e.amount) for e in entries] == [
        ("private-chat", Decimal("10.00")),
        ("private-chat", Decimal("50.00")),
        ("private-chat", Decimal("50.00")),
        ("followup-missed", Decimal("100.00")),
        ("suggestion", Decimal("300.00")),
    ]


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/fine @bob 0 nothing", "must be more than 0"),
        ("/fine @bob -5 nothing", "must be more than 0"),
        ("/fine @bob 12.345 too precise", "has more than 2 decimals"),
        ("/fine @bob 99999 too much", "above the team's maximum of 5000"),
        ("/fine @bob 50", "Say why"),
        ("/fine @nobody 50 who", "I haven't seen @nobody yet"),
        ("/reward @carol 10 myself", "You cannot reward yourself"),
        ("/fine rule private-chat 10,abc private", "is not a number"),
    ],
)
async def test_bad_entries_are_refused_and_nothing_is_stored(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    await team_of(bot)
    said = await bot.say(CAROL, command)
    assert problem in said and "Usage:" in said
    assert await LedgerEntry.all().count() == 0


async def test_agents_see_their_own_ledger_only_and_cannot_fine(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    assert "needs the role" in await bot.say(BOB, "/fine @carol 10 revenge")
    await bot.say(ALICE, "/fine @carol 30 changed a price without asking")
    await bot.say(CAROL, "/reward @bob 10 found a listing error")
    own = await bot.say(BOB, "/ledger")
    assert "found a listing error" in own and "@carol" not in own.split("Totals:")[1]
    assert "changed a price" not in own
    assert "needs the role" in await bot.say(BOB, "/ledger @carol")
    finance = await bot.say(ALICE, "/role @carol -supervisor finance")
    assert finance
    assert "changed a price" in await bot.say(CAROL, "/ledger @carol")


async def test_ledger_reads_month_words(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    await bot.say(CAROL, "/fine @bob 10 private chat at work")
    clock.move_to(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    await bot.say(CAROL, "/reward @bob 100 turned round a negative review")
    for words in ("last month", "上个月", "2026-11", "11月"):
        said = await bot.say(CAROL, f"/ledger {words} @bob")
        assert "📒 Fines and rewards, November 2026" in said and "private chat at work" in said, words
        assert "negative review" not in said, words
    december = await bot.say(CAROL, "/ledger")
    assert "December 2026" in december and "negative review" in december
    assert "private chat" not in december
    assert "Usage: /ledger last month @bob" in await bot.say(CAROL, "/ledger someday")


async def test_chinese_chat_and_private_news(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    await bot.say(ALICE, "/lang zh")
    await bot.say(BOB, "/lang zh", chat=BOB)
    said = await bot.say(CAROL, "/fine @bob 50 提前结束聊天")
    assert "💸 罚款 #1：@bob，¥50.00，提前结束聊天。" in said
    assert private(bot, BOB, "💸 你被 @carol 罚款 ¥50.00：提前结束聊天（记录 #1）。")
    await bot.say(BOB, "/appeal 1 买家已经离开", chat=BOB)
    assert private(bot, BOB, "📨 你对罚款 #1 的申诉已交给经理。")
    ledger = await bot.say(CAROL, "/ledger 本月")
    assert "📒 奖惩，2026年11月" in ledger and "@bob：罚款 ¥50.00（1），奖励 ¥0.00（0）" in ledger


async def test_the_first_posts_totals_to_the_team_and_a_file_to_finance(bot: Harness, clock: Any) -> None:
    await team_of(bot)
    await register(bot, "team", TEAM)
    await register(bot, "finance", FINANCE)
    await bot.say(ALICE, "/lang zh", chat=FINANCE)
    await bot.say(CAROL, "/fine @bob 10 private chat at work")
    await bot.say(ALICE, "/reward @bob 100 turned round a negative review")
    await bot.say(ALICE, "/fine @carol 30 changed a price without asking")
    await advance_to(bot, clock, FIRST_OF_DECEMBER - timedelta(minutes=1))
    assert texts(bot, TEAM, "📒") == []
    await advance_to(bot, clock, FIRST_OF_DECEMBER)
    team = (await posted(bot, TEAM, "📒 Fines and rewards, November 2026")).params["text"]
    assert "@bob: fines ¥10.00 (1), rewards ¥100.00 (1)" in team
    assert "@carol: fines ¥30.00 (1), rewards ¥0.00 (0)" in team
    assert "Team fund (fines): ¥40.00" in team
    assert "private chat" not in team and "negative review" not in team
    table = await bot.api.wait_for("sendDocument", lambda c: int(c.params["chat_id"]) == FINANCE)
    assert table.params["document"]["filename"] == "ledger-2026-11.xlsx"
    assert table.params["caption"] == "📒 奖惩，2026年11月"
    finance = (await posted(bot, FINANCE, "📒 奖惩")).params["text"]
    assert "@bob：罚款 ¥10.00（1），奖励 ¥100.00（1）" in finance
    sheet = load_workbook(io.BytesIO(table.params["document"]["content"]), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["编号", "日期", "人员", "类别", "金额"]
    assert [(row[2], row[4], row[5]) for row in rows[1:]] == [
        ("@bob", -10, "private chat at work"),
        ("@bob", 100, "turned round a negative review"),
        ("@carol", -30, "changed a price without asking"),
    ]
    await advance_to(bot, clock, FIRST_OF_DECEMBER + timedelta(hours=1))
    assert len(texts(bot, TEAM, "📒")) == 1
    assert len(bot.api.calls_to("sendDocument")) == 1


async def test_a_posting_missed_during_downtime_is_listed_once(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await team_of(first)
            await register(first, "team", TEAM)
            await first.say(CAROL, "/fine @bob 10 private chat at work")
        traveller.move_to(FIRST_OF_DECEMBER + timedelta(hours=3))
        async with Harness.running(db_url) as second:
            missed = await posted(second, TEAM, "While I was offline")
            assert (
                "Monthly ledger of fines and rewards (type /ledger last month to see it)"
                in missed.params["text"]
            )
            assert texts(second, TEAM, "📒") == []
        async with Harness.running(db_url) as third:
            assert texts(third, TEAM, "While I was offline") == []
            assert "private chat at work" in await third.say(CAROL, "/ledger last month")


async def test_add_writes_the_entry_and_its_audit_together(database: str) -> None:
    entry = await book.add(
        "reward", BOB, Decimal("500"), "star agent of November", actor_id=ALICE, rule="star"
    )
    assert entry.amount == Decimal("500.00") and entry.kind == "reward"
    audit = await AuditEntry.get(target=f"ledger:{entry.id}")
    assert audit.action == "ledger.reward" and audit.actor_id == ALICE
    with pytest.raises(ValueError):
        await book.add("bonus", BOB, Decimal("1"), "x", actor_id=ALICE)
    with pytest.raises(UserError):
        await book.add("fine", BOB, Decimal("1.001"), "x", actor_id=ALICE)
    with pytest.raises(UserError):
        await book.add("fine", BOB, Decimal("-1"), "x", actor_id=ALICE)
    assert await LedgerEntry.all().count() == 1
    assert await AuditEntry.filter(action__startswith="ledger.").count() == 1
    with pytest.raises(UserError):
        await book.appeal(entry.id, BOB, "a reward", chat_id=BOB, now=START)
    fine = await book.add("fine", BOB, Decimal("10"), "private chat", actor_id=ALICE)
    appealed = await book.appeal(fine.id, BOB, "I was on a call", chat_id=BOB, now=START)
    assert await book.decide(appealed, False, actor_id=ALICE, chat_id=ALICE, now=START) is not None
    assert await book.decide(appealed, True, actor_id=CAROL, chat_id=CAROL, now=START) is None
    assert (await LedgerEntry.get(id=fine.id)).outcome == "cancelled"
