"""Drives the real bot through the fake Bot API server the way people in a group chat would."""

from __future__ import annotations

from collections.abc import AsyncIterator
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


class Harness:
    """The bot under test plus the people and groups around it."""

    def __init__(self, api: FakeBotApi, app: Application) -> None:  # type: ignore[type-arg]
        self.api = api
        self.app = app

    @classmethod
    @asynccontextmanager
    async def running(cls, db_url: str, **settings: Any) -> AsyncIterator[Harness]:
        """Start the fake server and the bot (alice owns it unless `BOT_OWNER_IDS` says otherwise); stop both
        afterwards."""
        async with FakeBotApi() as api:
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
                **{"BOT_OWNER_IDS": str(ALICE), **settings},
            )
            async with serving(build_application(config), poll_timeout=5) as app:
                yield cls(api, app)

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
