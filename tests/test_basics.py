"""/start, /help, /whoami, /lang and unknown commands, end to end in both languages."""

from __future__ import annotations

import itertools

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.gate import CommandRouter
from tests.harness import ALICE, BOB, TEAM, Harness


async def test_whoami_shows_owner_as_manager(bot: Harness) -> None:
    reply = await bot.say(ALICE, "/whoami")
    assert "@alice" in reply and "id 101" in reply and "manager" in reply


async def test_whoami_without_role_says_so(bot: Harness) -> None:
    assert "You have no role yet" in await bot.say(BOB, "/whoami")


async def test_help_lists_only_what_the_caller_may_use(bot: Harness) -> None:
    newcomer = await bot.say(BOB, "/help")
    owner = await bot.say(ALICE, "/help")
    assert "/whoami" in newcomer and "/audit" not in newcomer and "/role @" not in newcomer
    assert "ask a supervisor" in newcomer
    assert "e.g. /audit 20" in owner and "/role @alice aftersale" in owner and "Administration" in owner


async def test_start_in_private_greets_and_lists_commands(bot: Harness) -> None:
    reply = await bot.say(BOB, "/start", chat=BOB)
    assert reply.startswith("Hi!") and "/help" in reply


async def test_lang_switches_the_group_to_chinese_and_back(bot: Harness) -> None:
    assert "本聊天现在使用中文" in await bot.say(ALICE, "/lang zh")
    reply = await bot.say(ALICE, "/whoami")
    assert "角色：经理" in reply
    assert "用法" in await bot.say(ALICE, "/audit abc")
    assert "English" in await bot.say(ALICE, "/lang en")
    assert "Roles: manager" in await bot.say(ALICE, "/whoami")


async def test_lang_in_group_needs_a_lead_but_anyone_may_in_private(bot: Harness) -> None:
    assert "needs the role: supervisor, manager" in await bot.say(BOB, "/lang zh")
    assert "本聊天现在使用中文" in await bot.say(BOB, "/lang 中文", chat=BOB)
    assert "你是 @bob" in await bot.say(BOB, "/whoami", chat=BOB)
    assert "You are @bob" in await bot.say(BOB, "/whoami", chat=TEAM)


async def test_lang_rejects_unknown_language_with_usage(bot: Harness) -> None:
    reply = await bot.say(ALICE, "/lang klingon")
    assert "Unknown language “klingon”" in reply and "Usage: /lang zh" in reply


async def test_lang_alone_shows_current_language(bot: Harness) -> None:
    assert "This chat speaks English" in await bot.say(ALICE, "/lang")


async def test_private_chat_follows_telegram_language_until_set(bot: Harness) -> None:
    bot.api.user(105, "Li", "lili", language_code="zh-hans")
    assert "你还没有角色" in await bot.say(105, "/whoami", chat=105)


async def test_unknown_command_is_ignored_in_groups_and_explained_in_private(bot: Harness) -> None:
    assert await bot.send(ALICE, "/frobnicate") == []
    assert "I don't know /frobnicate" in await bot.say(ALICE, "/frobnicate", chat=ALICE)


async def test_commands_for_other_bots_are_ignored(bot: Harness) -> None:
    assert await bot.send(ALICE, "/whoami@some_other_bot") == []
    assert "manager" in await bot.say(ALICE, "/whoami@kefu_test_bot")


async def test_commands_are_routed_by_name_in_registration_order(bot: Harness) -> None:
    plain = [isinstance(h, CommandHandler | CallbackQueryHandler) for h in bot.app.handlers[0]]
    assert any(isinstance(h, CommandRouter) for h in bot.app.handlers[0])
    assert not any(
        a and b for a, b in itertools.pairwise(plain)
    )  # every run of commands and buttons is routed
    assert "Roles: manager" in await bot.say(ALICE, f"/whoami@{bot.api.bot_username}")
    assert await bot.say(ALICE, "/whoami@some_other_bot") == ""
    assert await bot.say(ALICE, "whoami, /whoami") == ""
    form = await bot.say(ALICE, "/refund", chat=ALICE)  # the form, registered before the plain /refund
    logged = await bot.say(ALICE, "/refund 610000000000000009 12.5 damaged")
    assert "Saved" not in form and "Saved" in logged
