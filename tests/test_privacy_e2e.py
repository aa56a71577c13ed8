"""Customer data kept in its place, end to end on SQLite and PostgreSQL: group messages that carry it are
deleted once used, the guided form asks for it in private, searches by it need a role that may see it,
/forget erases a buyer from every table while the report stays the same, the retention period erases what
was closed long ago, and a long /audit pages instead of flooding the chat.

Every test here (and every end-to-end test) is also scanned by tests/harness.py: no group message may show a
full mobile number, an e-mail address or a planted name."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from bot.fakeapi.driver import handled, outgoing
from bot.models import AuditEntry, FollowUp, Occurrence, Schedule
from bot.services import audit, masking
from bot.services import sql_portable as sql
from bot.services.followups import book as followups
from bot.services.records import book as records
from tests.harness import ALICE, BOB, CAROL, TEAM, Harness
from tests.shop_clock import START, advance_to, buttons

ORDER = "123456789012345678"
OTHER_ORDER = "223456789012345678"
THIRD_ORDER = "323456789012345678"
BUYER, NAME, ALIPAY, PHONE, NEW_PHONE, STREET = (
    "tb_wang",
    "王小明",
    "wxm@163.com",
    "13900001111",
    "13900002222",
    "南京路",
)
PERSONAL = f'name={NAME} alipay={ALIPAY} phone={PHONE} address="上海市黄浦区{STREET}100号"'
PAYEE = f"damaged buyer={BUYER} {PERSONAL} postage=shop"
"""A complete refund: finance's fields and the buyer's personal data."""
ERASED = masking.ERASED


async def grant(bot: Harness, user: int, *roles: str) -> None:
    """Alice grants roles from her private chat, so no group's message budget is spent."""
    names = {BOB: "@bob", CAROL: "@carol"}
    await bot.introduce(user)
    assert "is now" in await bot.say(ALICE, f"/role {names[user]} {' '.join(roles)}", chat=ALICE)


async def typed(bot: Harness, user: int, text: str, chat: int = TEAM) -> tuple[int, list[dict[str, Any]]]:
    """Post a message; its id and what the bot sent while handling it."""
    update = bot.api.message(chat, user, text)
    sent = outgoing(await handled(bot.api, bot.app, update))
    return int(update["message"]["message_id"]), sent


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait (briefly, on the real clock) until the JobQueue has done what `check` looks for."""
    for _ in range(250):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the JobQueue did not get there")


# -------------------------------------------------------------------------- group messages leave the group


async def test_a_record_typed_with_customer_data_leaves_the_group_once_saved(bot: Harness) -> None:
    message_id, sent = await typed(bot, ALICE, f"/refund {ORDER} 12 {PAYEE}")
    assert len(sent) == 1 and sent[0]["text"].startswith("R-1 · Refund · new")
    assert "name: 王**" in sent[0]["text"] and "Alipay: w***@163.com" in sent[0]["text"]
    assert bot.api.get_message(TEAM, message_id) is None
    assert [int(call.params["message_id"]) for call in bot.api.calls_to("deleteMessage")] == [message_id]

    edited_id, _ = await typed(bot, ALICE, f"/edit R-1 phone={NEW_PHONE}")
    assert bot.api.get_message(TEAM, edited_id) is None
    plain_id, _ = await typed(bot, ALICE, "/courier SF1234567890 overdue")  # nothing personal: it stays
    assert bot.api.get_message(TEAM, plain_id) is not None


@pytest.mark.parametrize(
    "rights", [{"admin": False}, {"admin": True, "can_pin_messages": True}], ids=["member", "no-delete-right"]
)
async def test_a_group_that_does_not_let_the_bot_delete_is_told_once_how_to(
    bot: Harness, rights: dict[str, bool]
) -> None:
    bot.api.set_bot_rights(TEAM, **rights)
    first_id, first = await typed(bot, ALICE, f"/refund {ORDER} 12 {PAYEE}")
    assert [m["text"].splitlines()[0] for m in first][:1] == ["R-1 · Refund · new"] and len(first) == 2
    assert "Make me an administrator of this group" in first[1]["text"]
    assert "“Delete messages”" in first[1]["text"] and "(I say this once.)" in first[1]["text"]
    second_id, second = await typed(bot, ALICE, f"/refund {OTHER_ORDER} 12 {PAYEE}")
    assert len(second) == 1  # told once per group
    assert bot.api.get_message(TEAM, first_id) and bot.api.get_message(TEAM, second_id)

    bot.api.set_bot_rights(TEAM, admin=True, can_delete_messages=True)
    third_id, _ = await typed(bot, ALICE, f"/refund {THIRD_ORDER} 12 {PAYEE}")
    assert bot.api.get_message(TEAM, third_id) is None


# ------------------------------------------------------------------------------------- the form, in private


async def test_the_form_asks_for_customer_data_in_private_and_posts_the_masked_card(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    asked = await bot.send(ALICE, "/refund")
    assert len(asked) == 1 and "continues in our private chat" in asked[0]["text"]
    [[button]] = asked[0]["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Continue in private 🔒"
    assert button["url"].startswith(f"https://t.me/{bot.api.bot_username}?start=form-")
    link = "/start " + button["url"].partition("?start=")[2]

    assert "made for someone else" in await bot.say(BOB, link, chat=BOB)
    opened = await bot.say(ALICE, link, chat=ALICE)
    assert "Let's log a refund" in opened and "(1/9) Order number?" in opened
    for answer in (ORDER, "12.5", "damaged", BUYER, NAME, ALIPAY, "shop", "-"):
        await bot.say(ALICE, answer, chat=ALICE)
    summary = (await bot.send(ALICE, "-", chat=ALICE))[-1]
    assert f"name: {NAME}" in summary["text"] and buttons(summary) == ["Save", "Cancel"]
    saved = await bot.press(ALICE, ALICE, summary["message_id"], 1)

    cards = [m for m in saved if m["text"].startswith("R-1 · ")]
    in_group = [m for m in cards if m["chat"]["id"] == TEAM]
    in_private = [m for m in cards if m["chat"]["id"] == ALICE]
    assert len(in_group) == 1 and len(in_private) == 1
    assert in_group[0]["text"].startswith("R-1 · Refund · new")
    assert "name: 王**" in in_group[0]["text"] and "Alipay: w***@163.com" in in_group[0]["text"]
    assert buttons(in_group[0]) == ["→ sent to finance", "→ withdrawn by buyer"]
    assert f"name: {NAME}" in in_private[0]["text"]
    assert in_private[0]["text"].endswith("✅ Saved. Its card, customer data masked, is in Kefu team.")
    assert (await records.get("R-1")).chat_id == TEAM
    assert "expired or was already used" in await bot.say(ALICE, link, chat=ALICE)

    pressed = await bot.press(ALICE, TEAM, in_group[0]["message_id"], 1)  # the group's card works there
    assert "sent to finance by @alice" in pressed[-1]["text"]


async def test_the_form_started_in_private_stays_in_private(bot: Harness) -> None:
    assert "(1/9) Order number?" in await bot.say(ALICE, "/refund", chat=ALICE)
    for answer in (ORDER, "12.5", "damaged", BUYER, NAME, ALIPAY, "shop", "-"):
        await bot.say(ALICE, answer, chat=ALICE)
    summary = (await bot.send(ALICE, "-", chat=ALICE))[-1]
    saved = await bot.press(ALICE, ALICE, summary["message_id"], 1)
    assert {m["chat"]["id"] for m in saved} == {ALICE} and saved[-1]["text"].endswith("✅ Saved.")
    assert (await records.get("R-1")).chat_id == ALICE


# ----------------------------------------------------------------------------------------------- searching


async def test_searching_by_customer_data_needs_a_role_that_may_see_it(bot: Harness) -> None:
    await grant(bot, BOB, "presale")
    await grant(bot, CAROL, "aftersale")
    await bot.say(ALICE, f"/refund {ORDER} 12 {PAYEE}", chat=ALICE)
    refusal = "Searching by phone, name, Alipay account or address needs the role: "
    for query in (PHONE, ALIPAY, "+86 139-0000-1111"):
        reply = await bot.say(BOB, f"/find {query}", chat=BOB)
        assert reply == refusal + "after-sales, supervisor, manager, finance.", query
        assert (await bot.say(BOB, f"/buyer {query}", chat=BOB)).startswith(refusal)
    assert await bot.say(BOB, f"/find {NAME}", chat=BOB) == "Nothing found."  # names are not searched for him
    for query in (ORDER, BUYER, "R-1"):
        assert "R-1 · new" in await bot.say(BOB, f"/find {query}", chat=BOB), query

    for query in (PHONE, NAME, ALIPAY, "上海市黄浦区南京路100号"):
        assert "R-1 · new" in await bot.say(CAROL, f"/find {query}", chat=CAROL), query
    assert "History of buyer" in await bot.say(CAROL, f"/buyer {NAME}", chat=CAROL)

    message_id, sent = await typed(bot, CAROL, f"/find {PHONE}")  # even she searches by phone in private only
    assert [m["text"] for m in sent] == [
        "Search by phone or Alipay account in a private chat with me: here the whole group sees it."
    ]
    assert bot.api.get_message(TEAM, message_id) is None
    _, found = await typed(bot, CAROL, f"/find {BUYER}")
    assert found[0]["text"].startswith(f"Found 1 for “{BUYER}”:")


# ------------------------------------------------------------------------------------------- erasure


async def every_cell() -> list[tuple[str, str]]:
    """Every value of every column of every table, as text (JSON decoded, so Chinese reads as written)."""
    conn = Tortoise.get_connection("default")
    if sql.is_postgres():
        found = await conn.execute_query_dict(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    else:
        found = await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    tables = sorted(str(row["name"]) for row in found)
    assert {"record", "record_event", "audit_entry", "handover_item", "schedule"} <= set(tables)
    cells = []
    for table in tables:
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            for value in row.values():
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                with contextlib.suppress(ValueError):
                    text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
                cells.append((table, text.lower()))
    return cells


async def holding(*values: str) -> dict[str, list[str]]:
    """Which tables hold any of these values anywhere (case-insensitive)."""
    found: dict[str, list[str]] = {}
    for table, text in await every_cell():
        for value in values:
            if value.lower() in text:
                found.setdefault(table, []).append(value)
    return found


def totals(report: str) -> list[str]:
    """A report without its repeat claimants (an erased buyer is nobody in particular any more)."""
    return [line for line in report.splitlines() if not line.startswith("Repeat claimants")]


async def test_forget_erases_a_buyer_from_every_table_and_the_report_stays_the_same(bot: Harness) -> None:
    await bot.send(ALICE, f"/refund {ORDER} 12.5 {PAYEE}")  # in the group: the message is deleted
    await bot.say(ALICE, f"/edit R-1 phone={NEW_PHONE}", chat=ALICE)  # the old phone lives on in history
    complaint = await bot.send(
        ALICE, f"/complaint {OTHER_ORDER} damaged {NAME} says the cup broke buyer={BUYER}", chat=ALICE
    )
    note = f"{NAME} rang again from {PHONE}, pays to {ALIPAY}"
    await bot.send(ALICE, note, chat=ALICE, reply_to=complaint[0]["message_id"])
    await bot.say(ALICE, f"/handover #call {BUYER} {NAME} wants the money", chat=ALICE)
    await bot.say(ALICE, f"/presale {THIRD_ORDER} days=5 {NAME} asked twice", chat=ALICE)
    opened = await bot.say(
        ALICE, f"/followup {OTHER_ORDER} {BUYER} {PHONE} {NAME} wants a call back", chat=ALICE
    )
    assert "✅ Follow-up #1" in opened
    await bot.say(
        ALICE, f"/refund {THIRD_ORDER} 3 late buyer=tb_li name=李四 alipay=li4@163.com postage=buyer"
    )
    paid = await records.get("R-1")
    for status in ("sent", "paid"):
        paid = await records.change_status(paid, status, actor_id=ALICE, chat_id=TEAM)
    assert set(await holding(BUYER, NAME, ALIPAY, PHONE, NEW_PHONE, STREET)) >= {
        "record",
        "record_event",
        "audit_entry",
        "handover_item",
        "schedule",
        "follow_up",
    }
    before = await bot.say(ALICE, "/report month", chat=ALICE)
    assert "Repeat claimants: tb_wang 2" in before and "Refunded (marked paid): ¥12.50 in 1 refunds" in before

    asked = await bot.send(ALICE, f"/forget {NEW_PHONE}", chat=ALICE)
    first_line = f"🗑 Erase the customer data of 2 record(s) and 1 follow-up(s): R-1, C-1, {OTHER_ORDER}?"
    assert asked[-1]["text"].startswith(first_line)
    assert buttons(asked[-1]) == ["Erase 🗑", "Cancel ✖️"]
    done = await bot.press(ALICE, ALICE, asked[-1]["message_id"], 1)
    assert done[-1]["text"].startswith("🗑 Erased: the customer data of 2 record(s),")
    assert "1 handover items, 1 alarms and 1 follow-ups" in done[-1]["text"]

    assert await holding(BUYER, NAME, ALIPAY, PHONE, NEW_PHONE, STREET) == {}
    assert set(await holding("tb_li", "李四", "li4@163.com")) >= {"record", "record_event", "audit_entry"}
    after = await bot.say(ALICE, "/report month", chat=ALICE)
    assert totals(after) == totals(before) and "Repeat claimants: none" in after

    card = await bot.say(ALICE, "/show R-1", chat=ALICE)
    assert "R-1 · Refund · paid" in card and "amount: ¥12.50" in card and f"order: {ORDER}" in card
    assert f"buyer: {ERASED}" in card and f"name: {ERASED}" in card and f"Alipay: {ERASED}" in card
    shown_audit = await bot.say(ALICE, "/audit 1", chat=ALICE)
    assert "customer data erased on request 2 records" in shown_audit and "R-1, C-1" in shown_audit
    erasure = await AuditEntry.get(action="privacy.forget")
    assert erasure.actor_id == ALICE and erasure.after == {
        "records": ["R-1", "C-1"],
        "events": 4,  # created and edited, created and the note (C-1): statuses hold nothing personal
        "audit": 5,  # R-1 and C-1 logged, R-1 edited, the handover item, the pre-sale promise
        "handover": 1,
        "alarms": 1,
        "followups": 1,
    }
    assert "Nothing to forget" in await bot.say(ALICE, f"/forget {BUYER}", chat=ALICE)
    followup = await FollowUp.get(id=1)
    assert (followup.order_no, followup.buyer, followup.phone) == (OTHER_ORDER, ERASED, ERASED)
    assert followup.note == f"{ERASED} wants a call back"
    await bot.say(ALICE, "/export refund month csv", chat=ALICE)
    exported = bot.api.calls_to("sendDocument")[-1].params["document"]["content"].decode("utf-8-sig")
    erased_row = next(line for line in exported.splitlines() if line.startswith("R-1,"))
    assert f"{ORDER},12.50,{ERASED},{ERASED},{ERASED},{ERASED},{ERASED}," in erased_row
    assert "李四" in exported and "paid" in erased_row


async def test_a_buyer_known_only_by_a_follow_up_is_forgotten_too(bot: Harness) -> None:
    await bot.say(ALICE, f"/followup {ORDER} TB_Zhou 13700001111 wants a call back", chat=ALICE)
    await bot.say(ALICE, f"/followup {OTHER_ORDER} tb_li 13700002222", chat=ALICE)

    asked = await bot.send(ALICE, "/forget tb_zhou", chat=ALICE)
    assert asked[-1]["text"].startswith(
        f"🗑 Erase the customer data of 0 record(s) and 1 follow-up(s): {ORDER}?"
    )
    done = await bot.press(ALICE, ALICE, asked[-1]["message_id"], 1)
    assert "0 alarms and 1 follow-ups" in done[-1]["text"]

    assert await holding("tb_zhou", "13700001111") == {}
    assert set(await holding("tb_li", "13700002222")) == {"follow_up"}  # someone else's: kept
    assert "Nothing to forget" in await bot.say(ALICE, "/forget 13700001111", chat=ALICE)


async def test_only_a_manager_forgets_and_only_in_private_after_confirming(bot: Harness) -> None:
    await grant(bot, BOB, "supervisor")
    await bot.say(ALICE, f"/refund {ORDER} 12.5 {PAYEE}", chat=ALICE)
    assert "this needs the role: manager" in await bot.say(BOB, f"/forget {BUYER}", chat=BOB)
    message_id, sent = await typed(bot, ALICE, f"/forget {BUYER}")
    assert [m["text"] for m in sent] == [
        "Use /forget in a private chat with me: a buyer's data does not belong in a group."
    ]
    assert bot.api.get_message(TEAM, message_id) is None
    assert "Forget whom?" in await bot.say(ALICE, "/forget", chat=ALICE)
    assert "Nothing to forget" in await bot.say(ALICE, "/forget tb_nobody", chat=ALICE)
    asked = (await bot.send(ALICE, f"/forget {ORDER}", chat=ALICE))[-1]
    erase = asked["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    cancelled = await bot.press(ALICE, ALICE, asked["message_id"], 2)
    assert cancelled[-1]["text"] == "✖️ Cancelled: nothing was erased."
    await handled(bot.api, bot.app, bot.api.press(ALICE, ALICE, asked["message_id"], erase))  # a stale Erase
    assert "out of date" in bot.api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert (await records.get("R-1")).buyer == BUYER and not await AuditEntry.exists(action="privacy.forget")


# ------------------------------------------------------------------------------------------- retention


async def retention_ran(times: int) -> bool:
    """Whether the daily retention job has run this many times."""
    return await Occurrence.filter(schedule__kind="retention", state="sent").count() >= times


async def test_retention_erases_records_closed_longer_ago_than_the_setting(db_url: str, clock: Any) -> None:
    async with Harness.running(db_url, PII_RETENTION_DAYS="2") as bot:
        await bot.say(ALICE, f"/refund {ORDER} 12.5 {PAYEE}", chat=ALICE)
        await bot.say(ALICE, f"/refund {OTHER_ORDER} 8 {PAYEE}", chat=ALICE)  # still open: kept
        closed = await records.get("R-1")
        for status in ("sent", "paid"):
            closed = await records.change_status(closed, status, actor_id=ALICE, chat_id=TEAM)
        await bot.say(ALICE, f"/followup {ORDER} {BUYER} {PHONE} asked for {BUYER} twice", chat=ALICE)
        await bot.say(ALICE, f"/followup {OTHER_ORDER} tb_li 13700002222", chat=ALICE)  # still open: kept
        answered = await followups.answer(
            await FollowUp.get(id=1), "done", actor_id=ALICE, chat_id=ALICE, now=START
        )
        assert answered

        await advance_to(bot, clock, START + timedelta(hours=17, minutes=31))  # Tuesday 03:31, 17 h later
        await eventually(lambda: retention_ran(1))
        assert (await records.get("R-1")).buyer == BUYER

        await advance_to(bot, clock, START + timedelta(days=2, hours=17, minutes=31))  # Thursday 03:31
        await eventually(lambda: retention_ran(3))
        erased = await records.get("R-1")
        assert (erased.buyer, erased.phone, erased.data["name"], erased.data["alipay"]) == (ERASED,) * 4
        assert (erased.status, str(erased.amount), erased.order_no) == ("paid", "12.50", ORDER)
        kept = await records.get("R-2")
        assert (kept.buyer, kept.data["name"]) == (BUYER, NAME)
        done, still_open = await FollowUp.all().order_by("id")
        assert (done.buyer, done.phone, done.note) == (ERASED, ERASED, f"asked for {ERASED} twice")
        assert (still_open.buyer, still_open.phone) == ("tb_li", "13700002222")
        summary = await AuditEntry.get(action="privacy.retention")
        assert summary.after == {"records": 2, "days": 2} and summary.actor_id == bot.app.bot.id
        assert await AuditEntry.filter(action="privacy.retention").count() == 1


async def test_no_retention_job_without_the_setting(bot: Harness) -> None:
    assert not await Schedule.exists(kind="retention")


# ------------------------------------------------------------------------------------------- paging


async def test_a_long_audit_pages_with_buttons_instead_of_flooding_the_chat(bot: Harness) -> None:
    month = {f"@agent{n}": {f"2026-12-{day:02d}": ["day"] for day in range(1, 32)} for n in range(30)}
    for _ in range(25):
        await audit.record(actor_id=ALICE, chat_id=TEAM, action="roster.import", target="roster", after=month)
    newest = await audit.newest_id()
    sent = await bot.send(ALICE, "/audit 25", chat=ALICE)
    assert len(sent) == 1 and len(sent[0]["text"]) <= 4096
    lines = sent[0]["text"].splitlines()
    assert lines[0] == "Latest changes (newest first):" and lines[-1] == "Page 1 of 3" and len(lines) == 12
    assert all(len(line) <= 300 for line in lines) and lines[1].startswith(f"#{newest} ")
    assert buttons(sent[0]) == ["Next ▶"]
    await audit.record(actor_id=ALICE, chat_id=TEAM, action="chat.lang", after={"locale": "zh_CN"})
    second = await bot.press(ALICE, ALICE, sent[0]["message_id"], 1)
    lines = second[-1]["text"].splitlines()
    assert lines[1].startswith(f"#{newest - 10} ") and lines[-1] == "Page 2 of 3"  # nothing shifted
    assert buttons(second[-1]) == ["◀ Previous", "Next ▶"]
    last = await bot.press(ALICE, ALICE, sent[0]["message_id"], 2)
    assert last[-1]["text"].splitlines()[-1] == "Page 3 of 3" and len(last[-1]["text"].splitlines()) == 7
