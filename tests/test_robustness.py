"""Failures the bot must survive: crashing handlers, Telegram errors and flood limits, odd input."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import CommandHandler, ContextTypes

from bot.app import build_application, serving
from bot.config import Settings
from bot.fakeapi import FakeBotApi
from bot.fakeapi.driver import handled, outgoing
from bot.fakeapi.state import chat_member
from bot.i18n import translator
from bot.services import audit
from bot.services.team.catalog import COMMANDS
from tests.harness import ALICE, BOB, TEAM, Harness

APOLOGY = "Sorry, something went wrong on my side"
APOLOGY_ZH = "抱歉，我这边出了问题"
SECRET = "secret internals 42"


async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler with a bug."""
    raise RuntimeError(SECRET)


def add_broken_command(bot: Harness) -> None:
    """Give the running bot a /boom command whose handler always raises."""
    bot.app.add_handler(CommandHandler("boom", explode))


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The error handler's `update N failed` records."""
    return [r for r in caplog.records if r.name == "handlers.errors" and r.levelno == logging.ERROR]


async def audit_trail(bot: Harness) -> str:
    """The audit log as the owner sees it (asked in private, so no group is disturbed)."""
    return await bot.say(ALICE, "/audit 50", chat=ALICE)


@asynccontextmanager
async def started(db_url: str, prepare: Any = None) -> AsyncIterator[Harness]:
    """Like Harness.running, but lets a test change the fake server before the bot starts."""
    async with FakeBotApi() as api:
        api.user(ALICE, "Alice", "alice")
        api.group(TEAM, "Kefu team")
        if prepare is not None:
            prepare(api)
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            BOT_TOKEN="123456:TEST",
            TELEGRAM_API_BASE_URL=api.base_url,
            DATABASE_URL=db_url,
            BOT_OWNER_IDS=str(ALICE),
        )
        async with serving(build_application(config), poll_timeout=5) as app:
            yield Harness(api, app)


# ---------------------------------------------------------------- a handler that raises


async def test_crashing_handler_apologises_logs_and_keeps_serving(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    add_broken_command(bot)
    caplog.set_level(logging.INFO)
    update = bot.api.message(TEAM, BOB, "/boom")
    sent = outgoing(await handled(bot.api, bot.app, update))
    texts = [m["text"] for m in sent if m["chat"]["id"] == TEAM]
    assert len(texts) == 1 and texts[0].startswith(APOLOGY), texts
    [alert] = [m["text"] for m in sent if m["chat"]["id"] == ALICE]  # the owner, in private
    assert alert.startswith("⚠️ An error occurred") and "RuntimeError" in alert
    assert "Traceback" not in texts[0] and SECRET not in texts[0] and "RuntimeError" not in texts[0]
    [record] = failures(caplog)
    assert f"update {update['update_id']} failed" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert "You are @bob" in await bot.say(BOB, "/whoami")


async def test_crashing_handler_apologises_in_the_chats_language(bot: Harness) -> None:
    add_broken_command(bot)
    assert "本聊天现在使用中文" in await bot.say(ALICE, "/lang zh")
    reply = await bot.say(BOB, "/boom")
    assert reply.startswith(APOLOGY_ZH) and APOLOGY not in reply
    assert "你是 @bob" in await bot.say(BOB, "/whoami")


# ---------------------------------------------------------------- Telegram errors


async def test_flood_limit_on_send_is_retried_and_the_reply_arrives(bot: Harness) -> None:
    bot.api.fail("sendMessage", status=429, retry_after=1)
    started_at = time.monotonic()
    reply = await bot.say(ALICE, "/whoami")
    assert "You are @alice" in reply
    attempts = bot.api.calls_to("sendMessage")
    assert [call.status for call in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1  # it waited as Telegram asked
    assert time.monotonic() - started_at < 3


async def test_server_error_on_send_is_logged_and_the_bot_keeps_serving(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.api.fail("sendMessage", status=500)
    reply = await bot.say(BOB, "/whoami")
    assert "You are" not in reply
    [record] = failures(caplog)
    assert record.exc_info is not None and isinstance(record.exc_info[1], NetworkError)
    assert reply.startswith(APOLOGY)  # the apology itself got through
    assert "You are @bob" in await bot.say(BOB, "/whoami")


async def test_when_even_the_apology_fails_it_is_logged_and_the_bot_keeps_serving(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.api.fail("sendMessage", status=502, times=2)
    assert [m for m in await bot.send(BOB, "/whoami") if m["chat"]["id"] == TEAM] == []
    assert len(failures(caplog)) == 1
    assert any("could not apologise" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "You are @bob" in await bot.say(BOB, "/whoami")


async def test_bot_starts_even_when_the_command_menu_cannot_be_set(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    def break_menus(api: FakeBotApi) -> None:
        """Every setMyCommands answers 500."""
        api.fail("setMyCommands", status=500, times=10)

    caplog.set_level(logging.WARNING)
    async with started(db_url, break_menus) as bot:
        assert [c.status for c in bot.api.calls_to("setMyCommands")] == [500] * 4
        assert "You are @alice" in await bot.say(ALICE, "/whoami")
    warnings = [
        r.getMessage() for r in caplog.records if r.name == "bot.render.menus" and r.levelname == "WARNING"
    ]
    assert len(warnings) == 4 and all("setMyCommands" in w for w in warnings), warnings


def menus(api: FakeBotApi) -> dict[tuple[str, str | None], dict[str, str]]:
    """The successful setMyCommands calls: (scope, language_code) → {command: description}."""
    return {
        (call.params["scope"]["type"], call.params.get("language_code")): {
            c["command"]: c["description"] for c in call.params["commands"]
        }
        for call in api.calls_to("setMyCommands")
        if call.status == 200
    }


async def test_command_menu_is_published_in_both_languages(bot: Harness) -> None:
    published = menus(bot.api)
    assert set(published) == {
        ("all_private_chats", None),
        ("all_group_chats", None),
        ("all_private_chats", "zh"),
        ("all_group_chats", "zh"),
    }
    names = [info.name for info in COMMANDS]
    for (_, language), commands in published.items():
        assert list(commands) == names
        assert commands["whoami"] == ("你的角色" if language == "zh" else "your roles")
    zh = published["all_group_chats", "zh"]
    assert zh == {info.name: translator("zh_CN")(info.description) for info in COMMANDS}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in zh.values()), zh


async def test_chinese_deployment_publishes_english_menu_under_en(db_url: str) -> None:
    async with Harness.running(db_url, BOT_LOCALE="zh") as bot:
        published = menus(bot.api)
    assert set(published) == {
        ("all_private_chats", None),
        ("all_group_chats", None),
        ("all_private_chats", "en"),
        ("all_group_chats", "en"),
    }
    assert published["all_group_chats", None]["whoami"] == "你的角色"
    assert published["all_group_chats", "en"]["whoami"] == "your roles"


# ---------------------------------------------------------------- odd input


async def test_role_with_only_spaces_asks_whose_role(bot: Harness) -> None:
    await bot.introduce(BOB)
    before = await audit_trail(bot)
    reply = await bot.say(ALICE, "/role      ")
    assert "Whose role?" in reply and "Usage: /role @alice aftersale" in reply
    assert APOLOGY not in reply
    assert "no role yet" in await bot.say(BOB, "/whoami")
    assert await audit_trail(bot) == before


async def test_audit_with_a_huge_number_is_capped(bot: Harness) -> None:
    for n in range(audit.MAX_ENTRIES + 5):
        await audit.record(actor_id=ALICE, chat_id=TEAM, action="chat.lang", after={"locale": f"x{n}"})
    reply = await bot.say(ALICE, "/audit 999999")
    lines = reply.splitlines()
    assert lines[0] == "Latest changes (newest first):"
    assert lines[-1] == f"Page 1 of {audit.MAX_ENTRIES // 10}"  # paged, capped at MAX_ENTRIES
    newest = audit.MAX_ENTRIES + 4
    assert lines[1].endswith(f"→ x{newest}") and lines[-2].endswith(f"→ x{newest - 9}")
    assert "Latest changes" in await bot.say(ALICE, "/audit 99999999999999999999999999")


async def test_audit_of_many_long_entries_pages_through_them_all(bot: Harness) -> None:
    await bot.introduce(BOB)
    many = ["aftersale", "finance", "insale", "presale", "review", "supervisor", "warehouse"]
    for n in range(50):
        roles = many[: 1 + n % len(many)]
        await audit.record(
            actor_id=ALICE,
            chat_id=TEAM,
            action="role.change",
            target=f"person:{BOB}",
            before={"roles": roles},
            after={"roles": roles[:-1]},
        )
    sent = await bot.send(ALICE, "/audit 50", chat=ALICE)
    assert len(sent) == 1 and len(sent[0]["text"]) <= 4096  # one page, never a flood
    assert APOLOGY not in sent[0]["text"]
    assert sent[0]["text"].startswith("Latest changes (newest first):")
    shown = sent[0]["text"].splitlines()[1:-1]
    for page in range(2, 6):
        [turned] = await bot.press(ALICE, ALICE, sent[0]["message_id"], 2 if page > 2 else 1)
        assert turned["text"].splitlines()[-1] == f"Page {page} of 5" and len(turned["text"]) <= 4096
        shown += turned["text"].splitlines()[1:-1]
    assert len(shown) == 50 and len(set(shown)) == 50


async def test_setup_with_emoji_names_the_problem_and_registers_nothing(bot: Harness) -> None:
    reply = await bot.say(ALICE, "/setup 🎉🍜")
    assert "Unknown purpose “🎉🍜”" in reply and "Usage: /setup team" in reply
    assert APOLOGY not in reply
    assert "No group is registered yet" in await bot.say(ALICE, "/chats")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/setup", "Unknown purpose"),
        ("/role @bob", "Unknown role"),
        ("/lang", "Unknown language"),
        ("/audit", "is not a number of entries"),
    ],
)
async def test_very_long_argument_gets_a_clear_reply(bot: Harness, command: str, expected: str) -> None:
    await bot.introduce(BOB)
    before = await audit_trail(bot)
    reply = await bot.say(ALICE, f"{command} {'x' * 3000}", chat=ALICE if command == "/lang" else TEAM)
    assert expected in reply and "Usage:" in reply
    assert APOLOGY not in reply and "Traceback" not in reply
    assert await audit_trail(bot) == before


async def test_longest_possible_argument_still_gets_a_clear_reply(bot: Harness) -> None:
    text = "/setup " + "x" * (4096 - len("/setup "))
    reply = await bot.say(ALICE, text)
    assert "Unknown purpose “xxxxx" in reply and "…”" in reply and APOLOGY not in reply


# ---------------------------------------------------------------- joining a group


def membership_update(api: FakeBotApi, chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """Queue a my_chat_member update: ALICE changed the bot's status in `chat` from `old` to `new`."""
    bot_user = api.bot_user
    return api.raw_update(
        {
            "my_chat_member": {
                "chat": chat,
                "from": {"id": ALICE, "is_bot": False, "first_name": "Alice", "username": "alice"},
                "date": int(time.time()),
                "old_chat_member": chat_member(bot_user, old),
                "new_chat_member": chat_member(bot_user, new),
            }
        }
    )


async def test_bot_added_to_a_group_explains_setup(bot: Harness) -> None:
    chat = bot.api.group(-1009999, "New shop group")
    sent = outgoing(await handled(bot.api, bot.app, membership_update(bot.api, chat, "left", "member")))
    assert [m["chat"]["id"] for m in sent] == [-1009999]
    greeting = sent[0]["text"]
    assert "/setup" in greeting and "team, supervisors, finance, warehouse or review" in greeting


async def test_promotion_to_admin_does_not_greet_again(bot: Harness) -> None:
    chat = bot.api.group(-1009999, "New shop group")
    update = membership_update(bot.api, chat, "member", "administrator")
    assert outgoing(await handled(bot.api, bot.app, update)) == []
