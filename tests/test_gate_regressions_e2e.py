"""Regression tests for what a hostile team member found around the gate, end to end through the fake server
on SQLite and PostgreSQL: the chats that receive unmasked data, the manager role that must never vanish, swaps
approved by their own party, ids too long for the database, forged and repeated presses, a photo note written
from a stale read, and two stand-ins for one person.

Each test keeps well under 15 bot messages per group (Telegram's flood limit is about 20 a minute)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.enums import ChatPurpose, Role
from bot.fakeapi.driver import handled, outgoing
from bot.models import AuditEntry, Broadcast, RoleGrant, RosterShift, Schedule, SwapRequest
from bot.services.records import book as records
from bot.services.team import chats
from tests.harness import ALICE, BOB, CAROL, FINANCE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import advance_to, buttons, last_answer, posted, register, texts

ORDER = "123456789012345678"
HUGE = "99999999999999999999"
APOLOGY = "Sorry, something went wrong"
MANAGERS_ONLY = "Sorry, this needs the role: manager."
ALL_SET = "✅ I see every message in this group and may delete the ones that carry customer data."
ERIN = 105


def alert(bot: Harness) -> str:
    """The text of the bot's latest answer to a button press."""
    return str(last_answer(bot).get("text"))


def apologies(bot: Harness, *chats_: int) -> list[str]:
    """Every apology the error handler sent to these chats."""
    return [text for chat in chats_ for text in texts(bot, chat, APOLOGY)]


async def press_data(bot: Harness, user: int, chat: int, message_id: int, data: str) -> list[dict[str, Any]]:
    """Press a button carrying any data at all (a forged or stale press) under a bot message."""
    return outgoing(await handled(bot.api, bot.app, bot.api.press(chat, user, message_id, data)))


# ------------------------------------------------------------------------------------------ sensitive chats


async def test_only_a_manager_registers_the_one_finance_chat_and_moving_it_tells_both(bot: Harness) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/role @bob supervisor", chat=ALICE)
    assert await bot.say(BOB, "/setup finance", chat=FINANCE) == MANAGERS_ONLY
    assert await bot.say(BOB, "/setup 仓库", chat=TEAM) == MANAGERS_ONLY
    [asked] = await bot.send(ALICE, "/setup finance", chat=FINANCE)
    assert asked["text"].startswith("⚠️ The finance chat receives customer data unmasked")
    assert buttons(asked) == ["Confirm ✅", "Cancel ✖️"]
    assert await chats.purpose_of(FINANCE) is None  # nothing changes before the confirmation
    await bot.press(BOB, FINANCE, asked["message_id"], 1)
    assert alert(bot) == MANAGERS_ONLY
    [confirmed] = await bot.press(ALICE, FINANCE, asked["message_id"], 1)
    assert confirmed["text"].endswith(f"Registered: this group is now the finance chat.\n{ALL_SET}")
    assert buttons(confirmed) == []
    confirm = asked["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert await press_data(bot, ALICE, FINANCE, asked["message_id"], confirm) == []  # pressed twice
    assert alert(bot) == "Already handled."

    [again] = await bot.send(ALICE, "/setup finance", chat=TEAM)  # a second finance chat? it moves instead
    assert "It moves here from Finance, which stops receiving it." in again["text"]
    [cancelled] = await bot.press(ALICE, TEAM, again["message_id"], 2)
    assert cancelled["text"].endswith("✖️ Cancelled by @alice: nothing changed.")
    assert await chats.of_purpose(ChatPurpose.FINANCE) == [FINANCE]
    [again] = await bot.send(ALICE, "/setup finance", chat=TEAM)
    moved = await bot.press(ALICE, TEAM, again["message_id"], 1)
    here = next(m for m in moved if m["chat"]["id"] == TEAM)["text"]
    assert here.endswith(
        f"Registered: this group is now the finance chat.\nFinance is no longer the finance chat.\n{ALL_SET}"
    )
    there = next(m for m in moved if m["chat"]["id"] == FINANCE)["text"]
    assert there == (
        "ℹ️ @alice made Kefu team the finance chat: this group no longer is, and gets nothing meant for it."
    )
    assert await chats.of_purpose(ChatPurpose.FINANCE) == [TEAM]
    assert await bot.say(BOB, "/setup team", chat=TEAM) == MANAGERS_ONLY  # nor repurposes it
    listed = await bot.say(ALICE, "/chats", chat=ALICE)
    assert "finance chat: Kefu team" in listed and "Finance (" not in listed

    changed = await bot.say(BOB, "/digest finance 07:45", chat=SUPERVISORS)
    assert changed.startswith("✅ Changed for Kefu team:")
    assert "every day at 07:45 → Kefu team" in changed and "→ Finance" not in changed
    live = await Schedule.filter(kind="digest", ref="finance", state__in=["active", "paused"])
    assert [schedule.chat_id for schedule in live] == [TEAM]
    entry = await AuditEntry.get(action="chat.unset")
    assert (entry.actor_id, entry.target, entry.after) == (
        ALICE,
        f"chat:{FINANCE}",
        {"purpose": None, "moved_to": TEAM},
    )


# ------------------------------------------------------------------------------------------------- roles


async def test_owners_and_the_last_manager_keep_the_manager_role(db_url: str) -> None:
    async with Harness.running(db_url) as first:
        await first.introduce(BOB)
        assert "@bob is now manager." in await first.say(ALICE, "/role @bob manager")
        refused = await first.say(BOB, "/role @alice -manager")
        assert refused.startswith("@alice owns this bot: the manager role stays with them.")
        assert "owns this bot" in await first.say(ALICE, "/role @alice -manager")
    async with Harness.running(db_url, BOT_OWNER_IDS="") as second:  # alice no longer an owner
        assert await second.say(BOB, "/role @alice -manager") == "@alice is no longer manager."
        last = await second.say(BOB, "/role @bob -manager")
        assert last.startswith("@bob is the last manager: make someone else a manager first.")
        assert await RoleGrant.filter(role=Role.MANAGER).values_list("person_id", flat=True) == [BOB]
        assert "Roles: manager" in await second.say(BOB, "/whoami")


async def test_nobody_approves_their_own_swap(bot: Harness, clock: Any) -> None:
    await bot.introduce(BOB, CAROL)
    await register(bot, "supervisors", SUPERVISORS)
    await bot.say(ALICE, "/role @bob aftersale supervisor", chat=ALICE)
    await bot.say(ALICE, "/role @carol aftersale", chat=ALICE)
    await bot.say(ALICE, "/roster set @bob 11-25..11-26 day", chat=ALICE)
    await bot.say(ALICE, "/roster set @carol 11-25..11-27 night", chat=ALICE)
    ask = await bot.send(BOB, "/swap @carol 11-26 11-27")
    await bot.press(CAROL, TEAM, ask[-1]["message_id"], 1)
    question = await posted(bot, SUPERVISORS, "Both agreed. Approve it?")
    await bot.press(BOB, SUPERVISORS, question.result["message_id"], 1)  # Bob is a supervisor, and a party
    assert alert(bot) == "You are part of this, so someone else has to decide it."
    assert (await SwapRequest.get(id=1)).state == "accepted"
    assert await RosterShift.filter(person_id=BOB).count() == 2
    done = await bot.press(ALICE, SUPERVISORS, question.result["message_id"], 1)
    assert "✅ Approved by @alice: the roster is changed." in done[0]["text"]


# --------------------------------------------------------------------------------------- ids and presses


async def test_ids_too_long_for_the_database_are_explained_not_apologised_for(bot: Harness) -> None:
    for command, problem in (
        (f"/alarm pause {HUGE}", f"“{HUGE}” is not an id: give the number shown, e.g. 3."),
        (f"/acks {HUGE}", f"“{HUGE}” is not an id"),
        (f"/acks #{HUGE}", "is not an id"),
        (f"/broadcast cancel {HUGE}", f"“{HUGE}” is not an id"),
        (f"/show R-{HUGE}", "is not a record id like R-12"),
        (f"/edit R-{HUGE} amount=3", "is not a record id like R-12"),
    ):
        reply = await bot.say(ALICE, command, chat=ALICE)
        assert problem in reply and "Usage:" in reply, command
    assert apologies(bot, ALICE) == []
    assert await Broadcast.all().count() == 0  # "/broadcast cancel <huge>" did not become an announcement


async def test_forged_presses_with_huge_ids_are_out_of_date(bot: Harness) -> None:
    [answer] = await bot.send(ALICE, "/whoami")
    for data in (
        f"r1:paid:{HUGE}:0",
        f"b1:ack:{HUGE}:0",
        f"s1:approve:{HUGE}:0",
        "s1:approve:4294967296:0",  # ten digits, but beyond a database id
        f"f1:paid:{HUGE}:0",
        f"rs:R-1:paid:{HUGE}",  # the data of older versions
        f"bc:ack:{HUGE}",
        f"sw:approve:{HUGE}",
    ):
        assert await press_data(bot, ALICE, TEAM, answer["message_id"], data) == [], data
        assert alert(bot) == "This button is out of date." and last_answer(bot)["show_alert"] is True, data
    assert apologies(bot, TEAM) == []


async def test_a_handover_item_ticked_twice_is_answered_without_an_edit_or_an_apology(
    bot: Harness, clock: Any
) -> None:
    await bot.introduce(CAROL)
    await register(bot, "team", TEAM)
    await bot.say(ALICE, "/role @carol aftersale", chat=ALICE)
    await bot.say(ALICE, "/roster set @carol 11-23 night", chat=ALICE)
    await bot.say(ALICE, "/handover #call tb_lee refund promised before 20:00")
    await advance_to(bot, clock, datetime(2026, 11, 23, 19, tzinfo=ZoneInfo("Asia/Shanghai")))
    book = await posted(bot, TEAM, "📒 Handover for the night shift: 1 open.")
    data = book.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    [ticked] = await bot.press(CAROL, TEAM, book.result["message_id"], 1)
    assert "✅ #1 done by @carol." in ticked["text"] and buttons(ticked) == []
    edits = len(bot.api.calls_to("editMessageText"))
    assert await press_data(bot, CAROL, TEAM, book.result["message_id"], data) == []  # the same ✅ again
    assert alert(bot) == "Already handled."
    assert len(bot.api.calls_to("editMessageText")) == edits
    assert [call.status for call in bot.api.calls_to("editMessageText")] == [200] * edits
    assert apologies(bot, TEAM) == []


# ----------------------------------------------------------------------------------------- stale writes


async def test_a_photo_added_from_a_stale_read_keeps_an_edit_made_meanwhile(bot: Harness) -> None:
    [card] = await bot.send(ALICE, f"/complaint {ORDER} damaged cup broken")
    stale = await records.get("C-1")  # what a reply's loader read, before the edit below landed
    assert "✏️ Edited." in await bot.say(ALICE, '/edit C-1 text="glass broken" offer=gift')
    await records.add_note(stale, actor_id=ALICE, photo="buyer-photo-2")
    stored = await records.get("C-1")
    assert stored.data == {"text": "glass broken", "offer": "gift", "photos": ["buyer-photo-2"]}
    [added] = await bot.send(ALICE, None, reply_to=card["message_id"], photo=True)
    assert added["text"] == "📎 Photo added to C-1."
    shown = await bot.say(ALICE, "/show C-1")
    assert "text: glass broken" in shown and "photos: 2" in shown


# ----------------------------------------------------------------------------------------------- stand-ins


async def test_one_stand_in_per_person_and_day(bot: Harness, clock: Any) -> None:
    bot.api.user(ERIN, "Erin", "erin")
    await bot.introduce(BOB, CAROL, ERIN)
    assert "Members set: 3" in await bot.say(ALICE, "/rotation members @bob @carol @erin", chat=ALICE)
    assert "✅ @carol stands in for @bob" in await bot.say(
        ALICE, "/rotation override @carol @bob 12-10..12-20", chat=ALICE
    )
    twice = await bot.say(ALICE, "/rotation override @erin @bob 12-15..12-25", chat=ALICE)
    assert "@bob already has a stand-in on 2026-12-10..2026-12-20: @carol. Give other days." in twice
    busy = await bot.say(ALICE, "/rotation override @carol @erin 12-20..12-22", chat=ALICE)
    assert "@carol already stands in for @bob on 2026-12-10..2026-12-20: one seat at a time." in busy
    assert "✅ @erin stands in for @bob, Mon 21 Dec..Fri 25 Dec." in await bot.say(
        ALICE, "/rotation override @erin @bob 12-21..12-25", chat=ALICE
    )
    assert await AuditEntry.filter(action="rotation.override").count() == 2
