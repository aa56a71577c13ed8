"""Wait for the real Application to finish an injected update: shared by tests, shell and benchmarks."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.chat_order import settled
from bot.fakeapi.server import ApiCall, FakeBotApi

SENDING = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)


async def handled(api: FakeBotApi, app: Application, update: dict[str, Any]) -> list[ApiCall]:  # type: ignore[type-arg]
    """Block until the bot has fetched and fully processed `update`; return the calls it made meanwhile."""
    before = len(api.calls)
    await api.processed(update)
    await settled(app)
    return [call for call in api.calls[before:] if call.method != "getUpdates"]


def outgoing(calls: list[ApiCall]) -> list[dict[str, Any]]:
    """The messages (sent or edited) among some calls, as Bot API Message dicts."""
    return [call.result for call in calls if call.method in SENDING and isinstance(call.result, dict)]
