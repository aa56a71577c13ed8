"""Updates of different chats are handled side by side; one chat's updates one after another, in order.

PTB handles updates one at a time by default, so every round trip to Telegram (a reply, a query) holds up
every other chat: a backlog drains at the speed of one conversation. PTB's own concurrency gives up the
order within a chat, which a conversation needs (a form's steps, a record and the reply that edits it).
Here each chat (each person, for updates without a chat) keeps its order and chats overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64
"""Updates in hand at once; PTB hands them over in the order they arrived and admits them in that order."""


def order_key(update: object) -> object:
    """What an update must keep its order within: its chat, else its sender, else everything else."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


class Turn:
    """One chat's lock (asyncio's Lock serves waiters first come, first served) and who holds or waits."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs an update once the one before it in the same chat is done; other chats do not wait."""

    __slots__ = ("_turns",)

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[object, Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then handle this one."""
        key = order_key(update)
        turn = self._turns.get(key) or self._turns.setdefault(key, Turn())
        turn.users += 1
        try:
            await self.take(turn, coroutine)
            try:
                await coroutine
            finally:
                turn.lock.release()
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[key]

    @staticmethod
    async def take(turn: Turn, coroutine: Awaitable[Any]) -> None:
        """Take the chat's turn; if cancelled meanwhile (shutdown), the update is dropped unstarted."""
        try:
            await turn.lock.acquire()
        except asyncio.CancelledError:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            raise

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
