"""Drives the real bot through the fake Bot API server the way people in a group chat would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.app import build_application, serving
from bot.config import Settings
from bot.fakeapi import FakeBotApi
from bot.fakeapi.driver import handled, outgoing

ALICE, BOB, CAROL, DAVE = 101, 102, 103, 104
TEAM, SUPERVISORS, FINANCE = -1001001, -1001002, -1001003
WAREHOUSE, REVIEW = -1001004, -1001005

PLANTED = (
    "张三",
    "李雷",
    "王芳",
    "赵六",
    "王小明",
    "李四",
    "西湖区",
    "文三路",
    "世纪大道",
    "建国路",
    "南京路",
)
"""Real names and street parts the tests type as customer data: no group message may ever show them."""
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
GROUP_TEXTS = {
    "sendMessage": ("text",),
    "sendPhoto": ("caption",),
    "sendDocument": ("caption",),
    "editMessageText": ("text",),
    "editMessageCaption": ("caption",),
}
"""What the bot says in a chat: every version of every text and caption, edits included."""


def leaks(api: FakeBotApi) -> list[str]:
    """Every group message (finance's included) in which the bot showed a full mobile number, an e-mail
    address or a name or street the tests planted: customer data must be masked in every group."""
    found = []
    for call in api.calls:
        chat = call.params.get("chat_id")
        if call.method not in GROUP_TEXTS or chat is None or int(chat) > 0:
            continue
        text = "\n".join(str(call.params.get(key) or "") for key in GROUP_TEXTS[call.method])
        hits = MOBILE.findall(text) + EMAIL.findall(text) + [name for name in PLANTED if name in text]
        if hits:
            found.append(f"{call.method} to chat {chat} shows {hits}: {text[:300]!r}")
    return found


CHANNEL_KEY = "test channel secret key"


def robot_settings(api: FakeBotApi) -> dict[str, str]:
    """WeCom and DingTalk robots are the fake server's, their secrets sealed with a test key."""
    return {
        "WECOM_API_BASE_URL": api.robot_base_url,
        "DINGTALK_API_BASE_URL": api.robot_base_url,
        "CHANNEL_SECRET_KEY": CHANNEL_KEY,
    }


class Harness:
    """The bot under test plus the people and groups around it."""

    def __init__(self, api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
        self.api = api
        self.app = app

    @classmethod
    @asynccontextmanager
    async def running(
        cls, db_url: str, before_start: Callable[[FakeBotApi], object] | None = None, **settings: Any
    ) -> AsyncIterator[Harness]:
        """Start the fake server and the bot (alice owns it unless `BOT_OWNER_IDS` says otherwise); stop both
        afterwards. `before_start` prepares the server first (robots a restarted bot resumes posting to)."""
        async with FakeBotApi() as api:
            if before_start is not None:
                before_start(api)
            api.user(ALICE, "Alice", "alice")
            api.user(BOB, "Bob", "bob")
            api.user(CAROL, "Carol", "carol")
            api.user(DAVE, "Dave", None, "Wang")
            api.group(TEAM, "Kefu team")
            api.group(SUPERVISORS, "Supervisors")
            api.group(FINANCE, "Finance")
            api.group(WAREHOUSE, "Warehouse")
            api.group(REVIEW, "Review team")
            config = Settings(
                _env_file=None,  # type: ignore[call-arg]
                BOT_TOKEN="123456:TEST",
                TELEGRAM_API_BASE_URL=api.base_url,
                DATABASE_URL=db_url,
                **{"BOT_OWNER_IDS": str(ALICE), **robot_settings(api), **settings},
            )
            async with serving(build_application(config), poll_timeout=5) as app:
                yield cls(api, app)
            leaked = leaks(api)
            assert not leaked, "customer data unmasked in a group:\n" + "\n".join(leaked)

    async def send(
        self, user: int, text: str | None, chat: int = TEAM, **kwargs: Any
    ) -> list[dict[str, Any]]:
        """Post a message as `user` and return what the bot sent while handling it."""
        return await self._handled(self.api.message(chat, user, text, **kwargs))

    async def say(self, user: int, text: str, chat: int = TEAM, **kwargs: Any) -> str:
        """Post a message and return the bot's reply texts, joined."""
        return "\n".join(
            m.get("text", "") or m.get("caption", "") for m in await self.send(user, text, chat, **kwargs)
        )

    async def press(self, user: int, chat: int, message_id: int, index: int) -> list[dict[str, Any]]:
        """Press the index-th inline button (1-based) under a bot message."""
        return await self._handled(self.api.press_button(chat, user, message_id, index))

    async def introduce(self, *users: int, chat: int = TEAM) -> None:
        """Let the bot see these people write, so it learns their @usernames."""
        for user in users:
            await self.send(user, "hi", chat)

    async def _handled(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Wait until the bot has fully processed the update; collect what it sent meanwhile."""
        return outgoing(await handled(self.api, self.app, update))
