"""What a real Telegram deployment needs, end to end on SQLite and PostgreSQL: /setup says what to change in
@BotFather (privacy mode) and in the group (administrator, “Delete messages”); command menus follow a group's
language and a person's roles; the bot's descriptions exist in both languages; a deep link opens a record's
full card in private for a role that may see it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.fakeapi import FakeBotApi
from bot.i18n import translator
from bot.render import menus
from bot.services.team.catalog import COMMANDS
from tests.harness import ALICE, BOB, CAROL, FINANCE, TEAM, Harness

ORDER = "123456789012345678"
PAYEE = "damaged buyer=tb_wang name=王小明 alipay=wxm@163.com postage=shop"
PRIVACY_EN = "⚠️ Privacy mode is on"
PRIVACY_ZH = "⚠️ 隐私模式已开启"
NOT_ADMIN_EN = "⚠️ I am not an administrator here."
NO_DELETE_EN = "⚠️ I am an administrator here but without the right “Delete messages”"
ALL_SET_EN = "✅ I see every message in this group and may delete the ones that carry customer data."


def chat_menus(api: FakeBotApi, chat_id: int) -> dict[str | None, dict[str, str]]:
    """The menus last set for one chat's scope, by language code: {command: description}."""
    found: dict[str | None, dict[str, str]] = {}
    for call in api.calls_to("setMyCommands"):
        scope = call.params.get("scope") or {}
        if call.status == 200 and scope.get("type") == "chat" and int(scope["chat_id"]) == chat_id:
            found[call.params.get("language_code")] = {
                c["command"]: c["description"] for c in call.params["commands"]
            }
    return found


async def grant(bot: Harness, user: int, words: str) -> str:
    """Alice changes someone's roles from her private chat."""
    names = {BOB: "@bob", CAROL: "@carol"}
    await bot.introduce(user)
    return await bot.say(ALICE, f"/role {names[user]} {words}", chat=ALICE)


# ------------------------------------------------------------------------------------------ /setup checks


async def test_setup_in_privacy_mode_says_what_to_change_in_botfather_and_the_group(bot: Harness) -> None:
    bot.api.privacy_mode = True
    bot.api.set_bot_rights(TEAM, admin=False)
    reply = await bot.say(ALICE, "/setup team")
    lines = reply.splitlines()
    assert lines[0] == "Registered: this group is now the team chat."
    assert lines[1].startswith(PRIVACY_EN)
    assert f"In @BotFather send /setprivacy, choose @{bot.api.bot_username} and press Disable" in lines[1]
    assert "remove me from this group and add me again" in lines[1]
    assert lines[2].startswith(NOT_ADMIN_EN) and "“Delete messages”" in lines[2]
    assert len(lines) == 3
    assert [call.method for call in bot.api.calls[-4:]].count("getChatMember") == 1

    bot.api.set_bot_rights(TEAM, admin=True, can_pin_messages=True)  # an administrator sees everything
    lines = (await bot.say(ALICE, "/setup team")).splitlines()
    assert lines[1:] == [
        "⚠️ I am an administrator here but without the right “Delete messages”: give it to me (group info → "
        "Edit → Administrators → me → Delete messages), so messages that carry customer data leave the group "
        "once the record is saved."
    ]
    bot.api.set_bot_rights(TEAM, admin=True, can_delete_messages=True)
    assert (await bot.say(ALICE, "/setup team")).splitlines()[1:] == [ALL_SET_EN]


async def test_setup_in_chinese_says_the_same(bot: Harness) -> None:
    await bot.say(ALICE, "/lang zh")
    bot.api.privacy_mode = True
    bot.api.set_bot_rights(TEAM, admin=False)
    lines = (await bot.say(ALICE, "/setup team")).splitlines()
    assert lines[0] == "已登记：本群现在是客服群。"
    assert lines[1].startswith(PRIVACY_ZH) and f"选择 @{bot.api.bot_username}，点 Disable" in lines[1]
    assert lines[2].startswith("⚠️ 我在本群还不是管理员。") and "“删除消息”" in lines[2]


async def test_privacy_mode_does_not_matter_to_an_administrator(bot: Harness) -> None:
    bot.api.privacy_mode = True
    lines = (await bot.say(ALICE, "/setup team")).splitlines()
    assert lines[1:] == [ALL_SET_EN]


async def test_setup_still_registers_when_telegram_does_not_answer_the_checks(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    bot.api.fail("getMe", status=500)
    bot.api.fail("getChatMember", status=500)
    lines = (await bot.say(ALICE, "/setup team")).splitlines()
    assert lines == [
        "Registered: this group is now the team chat.",
        "(I could not check my own settings in this group just now; /setup again later shows them.)",
    ]
    assert "• team chat: Kefu team" in await bot.say(ALICE, "/chats")
    assert any("getChatMember (the bot) failed" in r.getMessage() for r in caplog.records)


async def test_a_sensitive_group_confirmed_gets_the_checks_too(bot: Harness) -> None:
    bot.api.set_bot_rights(FINANCE, admin=False)
    [question] = await bot.send(ALICE, "/setup finance", chat=FINANCE)
    [edited] = await bot.press(ALICE, FINANCE, question["message_id"], 1)
    assert "Registered: this group is now the finance chat." in edited["text"]
    assert NOT_ADMIN_EN in edited["text"] and PRIVACY_EN not in edited["text"]


# ------------------------------------------------------------------------------------------- command menus


async def test_a_group_menu_follows_the_group_language(bot: Harness) -> None:
    assert chat_menus(bot.api, TEAM) == {}  # nothing per chat at start: no burst
    await bot.say(ALICE, "/lang zh")
    zh = translator("zh_CN")
    assert chat_menus(bot.api, TEAM) == {None: {info.name: zh(info.description) for info in COMMANDS}}
    await bot.say(ALICE, "/lang en")
    assert chat_menus(bot.api, TEAM)[None]["whoami"] == "your roles"

    await bot.say(ALICE, "/lang zh", chat=FINANCE)
    calls = len(bot.api.calls_to("setMyCommands"))
    await bot.send(ALICE, "/setup finance", chat=FINANCE)  # asks first: the menu waits for the answer
    assert len(bot.api.calls_to("setMyCommands")) == calls
    await bot.say(ALICE, "/setup team")
    assert chat_menus(bot.api, TEAM)[None]["whoami"] == "your roles"


async def test_a_private_menu_lists_what_the_roles_allow_in_each_language(bot: Harness) -> None:
    assert "@bob is now after-sales." in await grant(bot, BOB, "aftersale")
    bob = chat_menus(bot.api, BOB)
    assert set(bob) == {None, "en", "zh"}
    assert "refund" in bob[None] and "audit" not in bob[None] and "report" not in bob[None]
    assert bob["zh"]["whoami"] == "你的角色" and bob["en"]["whoami"] == bob[None]["whoami"] == "your roles"

    calls = len(bot.api.calls_to("setMyCommands"))
    await bot.send(BOB, "/start", chat=BOB)  # unchanged: not sent again
    assert len(bot.api.calls_to("setMyCommands")) == calls

    await grant(bot, BOB, "supervisor")
    assert "report" in chat_menus(bot.api, BOB)[None]
    await grant(bot, BOB, "-supervisor -aftersale")
    assert list(chat_menus(bot.api, BOB)[None]) == ["help", "whoami", "lang"]

    await bot.say(BOB, "/lang zh", chat=BOB)  # his choice outranks his app's language
    assert {menu["whoami"] for menu in chat_menus(bot.api, BOB).values()} == {"你的角色"}


async def test_start_in_private_gives_the_owner_a_managers_menu(bot: Harness) -> None:
    await bot.send(ALICE, "/start", chat=ALICE)
    alice = chat_menus(bot.api, ALICE)
    assert "audit" in alice[None] and "config" in alice["zh"]


async def test_a_menu_telegram_refuses_is_logged_and_the_role_still_given(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    bot.api.fail("setMyCommands", status=500, times=3)
    assert "@bob is now after-sales." in await grant(bot, BOB, "aftersale")
    assert chat_menus(bot.api, BOB) == {}
    assert any("setMyCommands" in r.getMessage() for r in caplog.records if r.name == "bot.render.menus")
    await bot.send(BOB, "/start", chat=BOB)  # the next chance publishes it
    assert "refund" in chat_menus(bot.api, BOB)[None]


# ------------------------------------------------------------------------------------------- descriptions


async def test_descriptions_in_both_languages_and_not_resent_when_unchanged(bot: Harness) -> None:
    texts: dict[tuple[str, str | None], Any] = {
        (call.method, call.params.get("language_code")): call.params
        for call in bot.api.calls
        if call.method in ("setMyDescription", "setMyShortDescription")
    }
    assert set(texts) == {
        ("setMyDescription", None),
        ("setMyDescription", "zh"),
        ("setMyShortDescription", None),
        ("setMyShortDescription", "zh"),
    }
    assert texts["setMyShortDescription", None]["short_description"] == (
        "Records, alarms, shifts and hand-overs for a customer-service team."
    )
    assert texts["setMyShortDescription", "zh"]["short_description"] == "客服团队的记录、闹钟、排班和交接。"
    assert texts["setMyDescription", "zh"]["description"].startswith("我为电商客服团队记录退款")
    assert "/setup" in texts["setMyDescription", None]["description"]

    await menus.publish_descriptions(bot.app)  # a restart: Telegram already holds them
    assert len([c for c in bot.api.calls if c.method.startswith("setMy") and "escription" in c.method]) == 4


# ------------------------------------------------------------------------------------- a record's deep link


async def test_a_masked_card_links_to_the_full_card_in_private(bot: Harness) -> None:
    await bot.send(ALICE, f"/refund {ORDER} 12 {PAYEE}")
    [card] = await bot.send(ALICE, "/show R-1")
    assert "王**" in card["text"] and "王小明" not in card["text"]
    link_button = card["reply_markup"]["inline_keyboard"][-1][-1]
    assert link_button["text"] == "Full card in private 🔒"
    link = "/start " + link_button["url"].partition("?start=")[2]
    assert link.startswith("/start record-")

    [full] = await bot.send(ALICE, link, chat=ALICE)
    assert full["chat"]["id"] == ALICE and full["text"].startswith("R-1 · Refund · new")
    assert "王小明" in full["text"] and "wxm@163.com" in full["text"]
    assert all("url" not in b for row in full["reply_markup"]["inline_keyboard"] for b in row)
    assert "made for someone else" in await bot.say(BOB, link, chat=BOB)
    [again] = await bot.send(ALICE, link, chat=ALICE)  # a record's link opens it until it expires
    assert "王小明" in again["text"]


async def test_no_link_for_a_role_that_sees_customer_data_masked_anyway(bot: Harness) -> None:
    await grant(bot, BOB, "presale")
    await bot.send(ALICE, f"/refund {ORDER} 12 {PAYEE}")
    [card] = await bot.send(BOB, "/show R-1")
    buttons = [b for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons and all("url" not in b for b in buttons)


async def test_the_record_link_in_chinese(bot: Harness) -> None:
    await bot.say(ALICE, "/lang zh")
    await bot.send(ALICE, f"/refund {ORDER} 12 {PAYEE}")
    [card] = await bot.send(ALICE, "/show R-1")
    assert card["reply_markup"]["inline_keyboard"][-1][-1]["text"] == "私聊查看完整卡片 🔒"


async def test_the_fake_server_refuses_texts_longer_than_telegram_allows(bot: Harness) -> None:
    with pytest.raises(BadRequest, match=r"(?i)short_description is too long"):
        await bot.app.bot.set_my_short_description("x" * 121, "zh")
    with pytest.raises(BadRequest, match=r"(?i)^description is too long"):
        await bot.app.bot.set_my_description("x" * 513)
    assert (
        await bot.app.bot.get_my_short_description("zh")
    ).short_description == "客服团队的记录、闹钟、排班和交接。"
