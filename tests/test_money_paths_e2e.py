"""Regression tests for the money and bonus paths a hostile team member found open, end to end through the
fake server on SQLite and PostgreSQL: who answers for finance, drafts finance cannot pay, the guided form,
repeats of a paid order, money fields frozen once sent, voiding and reversing a paid refund, review cases'
buttons, and complaint routing that actually tells the supervisors and the warehouse.

Each test keeps well under 15 bot messages per group (Telegram's flood limit is about 20 a minute)."""

from __future__ import annotations

from typing import Any

from bot.models import AuditEntry, RecordEvent
from bot.services.records import book as records
from tests.harness import ALICE, BOB, CAROL, FINANCE, SUPERVISORS, TEAM, WAREHOUSE, Harness
from tests.shop_clock import buttons, last_answer, register

ORDER, OTHER = "123456789012345678", "223456789012345678"
PAYEE = "damaged buyer=tb_lee name=张三 alipay=lee@163.com postage=shop"
"""What finance needs beyond order and amount."""
FINANCE_ONLY = "Sorry, this needs the role: manager, finance."


async def grant(bot: Harness, user: int, *roles: str) -> None:
    """Alice (an owner, so a manager) grants roles from her private chat."""
    names = {BOB: "@bob", CAROL: "@carol"}
    await bot.introduce(user)
    reply = await bot.say(ALICE, f"/role {names[user]} {' '.join(roles)}", chat=ALICE)
    assert "is now" in reply, reply


async def logged(bot: Harness, user: int, text: str, chat: int = TEAM) -> dict[str, Any]:
    """Log a record and return its card (the bot's last message)."""
    sent = await bot.send(user, text, chat)
    return sent[-1]


def alert(bot: Harness) -> str:
    """The text of the bot's latest answer to a button press."""
    return str(last_answer(bot).get("text"))


def in_chat(messages: list[dict[str, Any]], chat: int) -> dict[str, Any]:
    """The one message among those the bot sent or edited that went to `chat`."""
    [found] = [message for message in messages if message["chat"]["id"] == chat]
    return found


async def status_of(short_id: str) -> str:
    """A record's status as stored."""
    return (await records.get(short_id)).status


# ------------------------------------------------------------------------------------------- who answers


async def test_only_finance_or_a_manager_marks_a_refund_paid_or_rejected(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    await grant(bot, CAROL, "finance")
    card = await logged(bot, BOB, f"/refund {ORDER} 12.5 {PAYEE}")
    assert buttons(card) == ["→ sent to finance", "→ withdrawn by buyer"]
    [sent] = await bot.press(BOB, TEAM, card["message_id"], 1)  # anyone sends it to finance
    assert buttons(sent) == ["→ paid", "→ rejected"]
    for index in (1, 2):
        assert await bot.press(BOB, TEAM, card["message_id"], index) == []
        assert alert(bot) == FINANCE_ONLY and last_answer(bot)["show_alert"] is True
    assert await status_of("R-1") == "sent"
    [paid] = await bot.press(CAROL, TEAM, card["message_id"], 1)
    assert paid["text"].splitlines()[0] == "R-1 · Refund · paid" and "paid by @carol" in paid["text"]


async def test_only_the_review_team_or_supervisors_revise_or_fail_a_case(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    await grant(bot, CAROL, "review")
    card = await logged(bot, BOB, f"/review {ORDER} tb_lee negative")
    assert buttons(card)[:2] == ["→ revised", "→ failed"]
    for index in (1, 2):
        await bot.press(BOB, TEAM, card["message_id"], index)
        assert alert(bot) == "Sorry, this needs the role: review team, supervisor, manager."
    assert await status_of("N-1") == "open"
    [failed] = await bot.press(CAROL, TEAM, card["message_id"], 2)
    assert failed["text"].splitlines()[0] == "N-1 · Review case · failed"


# ------------------------------------------------------------------------------------------------ drafts


async def test_a_refund_finance_cannot_pay_is_a_draft_until_edit_completes_it(bot: Harness) -> None:
    card = await logged(bot, ALICE, "/refund 123456789012345690 12")
    text = card["text"].splitlines()
    assert text[0] == "R-1 · Refund · draft"
    assert (
        "⚠️ missing for finance: buyer, name, Alipay, reason, postage. It goes to finance once /edit R-1 "
        "completes it." in text
    )
    assert buttons(card) == []  # a draft has no "→ sent to finance"
    partly = await bot.say(ALICE, "/edit R-1 buyer=tb_lee 实名=张三")
    assert "R-1 · Refund · draft" in partly and "missing for finance: Alipay, reason, postage" in partly
    [done] = await bot.send(ALICE, "/edit R-1 alipay=lee@163.com reason=damaged postage=shop")
    assert done["text"].splitlines()[0] == "R-1 · Refund · new" and "missing for finance" not in done["text"]
    assert done["text"].endswith("✏️ Edited.\n✅ Complete: it goes to finance with the next table.")
    assert buttons(done) == ["→ sent to finance", "→ withdrawn by buyer"]
    events = await RecordEvent.filter(action="edit").order_by("id")
    assert events[-1].before is not None and events[-1].before["status"] == "draft"
    assert events[-1].after is not None and events[-1].after["status"] == "new"


async def test_the_guided_form_refuses_to_skip_what_finance_needs(bot: Harness) -> None:
    assert "(1/9) Order number?" in await bot.say(ALICE, "/refund", chat=ALICE)
    skipped = await bot.say(ALICE, "-", chat=ALICE)
    assert skipped == "(1/9) This one cannot be skipped: finance needs it.\nOrder number?"
    assert "(2/9) Amount" in await bot.say(ALICE, ORDER, chat=ALICE)
    assert "cannot be skipped" in await bot.say(ALICE, "-", chat=ALICE)
    for answer, following in (
        ("12.5", "(3/9) Reason?"),
        ("-", "cannot be skipped"),
        ("damaged", "(4/9) Buyer's platform ID"),
        ("-", "cannot be skipped"),
        ("tb_lee", "(5/9) Buyer's real name"),
        ("-", "cannot be skipped"),
        ("张三", "(6/9) Alipay account"),
        ("-", "cannot be skipped"),
        ("lee@163.com", "(7/9) Who pays the return postage?"),
        ("-", "cannot be skipped"),
        ("shop", "(8/9) Does the buyer have return-shipping insurance"),
        ("-", "(9/9) Return tracking number?"),  # insurance and tracking may be skipped
    ):
        assert following in await bot.say(ALICE, answer, chat=ALICE), answer
    summary = (await bot.send(ALICE, "-", chat=ALICE))[-1]
    assert summary["text"].startswith("Refund to save:") and buttons(summary) == ["Save", "Cancel"]
    saved = await bot.press(ALICE, ALICE, summary["message_id"], 1)
    assert saved[-1]["text"].splitlines()[0] == "R-1 · Refund · new"
    stored = await records.get("R-1")
    assert (stored.order_no, stored.buyer, stored.data["name"], stored.data["alipay"]) == (
        ORDER,
        "tb_lee",
        "张三",
        "lee@163.com",
    )


# ----------------------------------------------------------------------------------------------- repeats


async def test_a_second_refund_of_a_paid_order_asks_first_and_is_flagged_for_finance(bot: Harness) -> None:
    card = await logged(bot, ALICE, f"/refund {ORDER} 12.5 {PAYEE}")
    await bot.press(ALICE, TEAM, card["message_id"], 1)  # → sent to finance
    await bot.press(ALICE, TEAM, card["message_id"], 1)  # → paid
    assert await status_of("R-1") == "paid"
    warning = await logged(bot, ALICE, f"/refund {ORDER} 12.5 {PAYEE}")
    assert warning["text"].startswith("⚠️ R-1 already refunds this order (paid). Nothing was saved.")
    assert buttons(warning) == ["Log anyway"]
    assert (await records.find(ORDER)).total == 1
    [saved] = await bot.press(ALICE, TEAM, warning["message_id"], 1)
    assert saved["text"].splitlines()[0] == "R-2 · Refund · new"
    assert "⚠️ this order was already refunded (R-1): check before paying twice." in saved["text"]
    assert "⚠️ this order was already refunded (R-1)" in await bot.say(ALICE, "/show R-2", chat=ALICE)


# ------------------------------------------------------------------------------------------ frozen money


async def test_money_fields_freeze_once_sent_and_a_change_goes_back_to_finance(bot: Harness) -> None:
    await register(bot, "finance", FINANCE)
    await grant(bot, BOB, "aftersale")
    card = await logged(bot, BOB, f"/refund {ORDER} 12.5 {PAYEE}")
    await bot.press(BOB, TEAM, card["message_id"], 1)  # → sent to finance
    refused = await bot.say(BOB, "/edit R-1 amount=700 alipay=thief@163.com")
    assert refused == FINANCE_ONLY
    stored = await records.get("R-1")
    assert (stored.status, str(stored.amount), stored.data["alipay"]) == ("sent", "12.50", "lee@163.com")
    tracked = await bot.say(BOB, "/edit R-1 tracking=YT1234567890")  # not a money field: the author may
    assert tracked.endswith("✏️ Edited.")

    sent = await bot.send(ALICE, "/edit R-1 amount=15 alipay=lee2@163.com")  # a manager may
    changed = in_chat(sent, TEAM)["text"]
    assert changed.splitlines()[0] == "R-1 · Refund · new"
    assert (
        "↩️ Its money fields changed after it went to finance: R-1 is new again and goes to finance with the "
        "next table." in changed
    )
    told = in_chat(sent, FINANCE)["text"]
    assert told.startswith("✏️ @alice changed amount, Alipay of R-1 after it was sent to you: don't pay")
    await bot.press(ALICE, TEAM, card["message_id"], 1)  # the stale card's "→ paid"
    assert alert(bot) == "R-1 is new: it cannot move to paid."
    event = (await RecordEvent.filter(action="edit").order_by("-id"))[0]
    assert event.before == {"status": "sent", "amount": "12.50", "alipay": "lee@163.com"}
    assert event.after == {"status": "new", "amount": "15.00", "alipay": "lee2@163.com"}
    assert await AuditEntry.filter(action="record.edit", target="R-1", actor_id=ALICE).exists()

    [sent] = await bot.send(ALICE, "/show R-1")
    await bot.press(ALICE, TEAM, sent["message_id"], 1)  # → sent to finance
    await bot.press(ALICE, TEAM, sent["message_id"], 1)  # → paid
    paid = await bot.say(ALICE, "/edit R-1 amount=700")
    assert "R-1 was paid: its money fields never change." in paid and "/reverse R-1" in paid
    assert str((await records.get("R-1")).amount) == "15.00"


async def test_a_paid_refund_is_never_voided_only_reversed_by_finance_with_a_reason(bot: Harness) -> None:
    await grant(bot, BOB, "aftersale")
    await grant(bot, CAROL, "finance")
    card = await logged(bot, BOB, f"/refund {ORDER} 12.5 {PAYEE}")
    await bot.press(BOB, TEAM, card["message_id"], 1)  # → sent to finance
    await bot.press(CAROL, TEAM, card["message_id"], 1)  # → paid
    for user in (BOB, ALICE):  # the author, and even a manager
        voided = await bot.say(user, "/void R-1 typed twice")
        assert "R-1 is paid: money paid out is never voided" in voided and "/reverse R-1 <reason>" in voided
    assert await status_of("R-1") == "paid"
    assert await bot.say(BOB, "/reverse R-1 paid twice") == FINANCE_ONLY
    assert "Give the refund id and a reason" in await bot.say(CAROL, "/reverse R-1", chat=CAROL)
    reversed_ = await bot.say(CAROL, "/reverse R-1 paid to the wrong account", chat=CAROL)
    assert reversed_ == "↩️ R-1 is reversed: paid to the wrong account. Its history is kept."
    shown = await bot.say(ALICE, "/show R-1", chat=ALICE)
    assert "R-1 · Refund · reversed" in shown and "@carol: reversed paid to the wrong account" in shown
    assert "R-1 is reversed: only a paid refund can be reversed." in await bot.say(
        CAROL, "/reverse R-1 again", chat=CAROL
    )
    entry = await AuditEntry.get(action="record.reverse")
    assert (entry.actor_id, entry.target, entry.after) == (
        CAROL,
        "R-1",
        {"status": "reversed", "reason": "paid to the wrong account"},
    )


# --------------------------------------------------------------------------------------- complaint routing


async def test_complaint_routing_tells_the_supervisors_then_the_warehouse_with_the_photo(
    bot: Harness,
) -> None:
    await grant(bot, BOB, "aftersale")
    slip = (
        await bot.send(BOB, None, photo=True, caption=f"/complaint {ORDER} damaged cup broken name=张三")
    )[-1]
    await bot.press(BOB, TEAM, slip["message_id"], 1)
    assert alert(bot).startswith("No supervisors' chat is registered, so nobody would see C-1")
    assert await status_of("C-1") == "new"
    await register(bot, "supervisors", SUPERVISORS)
    await register(bot, "warehouse", WAREHOUSE)

    moved = in_chat(await bot.press(BOB, TEAM, slip["message_id"], 1), TEAM)  # → with supervisor, by anyone
    assert "with supervisor by @bob\n📨 posted to Supervisors" in moved["text"]
    assert buttons(moved) == ["→ with warehouse"]
    routed = bot.api.sent(SUPERVISORS)[-1]
    assert routed["text"].startswith("📨 @bob passes C-1 to you.\nC-1 · Complaint slip · with supervisor")
    assert "name: 张*" in routed["text"] and "张三" not in routed["text"]
    assert buttons(routed) == ["→ with warehouse"]
    before = len(bot.api.sent(WAREHOUSE))
    await bot.press(BOB, TEAM, slip["message_id"], 1)  # a member may not forward it to the warehouse
    assert alert(bot) == "Sorry, this needs the role: supervisor, manager."
    assert len(bot.api.sent(WAREHOUSE)) == before  # nothing reached the warehouse

    pressed = await bot.press(ALICE, SUPERVISORS, routed["message_id"], 1)  # a supervisor's call
    forwarded = in_chat(pressed, SUPERVISORS)
    assert "📨 posted to Warehouse" in forwarded["text"] and buttons(forwarded) == ["→ closed"]
    card, photo = bot.api.sent(WAREHOUSE)[-2:]
    assert card["text"].startswith("📨 @alice passes C-1 to you.\nC-1 · Complaint slip · with warehouse")
    assert "张三" not in card["text"] and buttons(card) == ["→ closed"]
    assert photo["caption"] == "C-1 · 1/1"
    assert photo["photo"][-1]["file_id"] == slip["reply_to_message"]["photo"][-1]["file_id"]

    await bot.press(BOB, WAREHOUSE, card["message_id"], 1)  # an agent may not close a slip
    assert alert(bot) == "Sorry, this needs the role: supervisor, manager, warehouse."
    await grant(bot, CAROL, "warehouse")
    [closed] = await bot.press(CAROL, WAREHOUSE, card["message_id"], 1)
    assert closed["text"].startswith("C-1 · Complaint slip · closed") and closed["text"].endswith(
        "closed by @carol"
    )
    assert await status_of("C-1") == "closed"
