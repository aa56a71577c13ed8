"""Updates of different chats are handled side by side; one chat's updates one after another, in order.

PTB handles updates one at a time by default, so every round trip to Telegram (a reply, a query) holds up
every other chat: a backlog drains at the speed of one conversation. PTB's own concurrency gives up the
order within a chat, which a conversation needs (a form's steps, a record and the reply that edits it), and
costs a task per update. Here PTB hands each update over at once (it sees one update at a time and never
waits): the update joins its chat's queue, and one worker per chat with updates pending handles them in
order. Chats without pending updates cost nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_BUSY_CHATS = 64
"""Chats handled at the same moment; the others' next updates wait for a free place."""
Spawn = Callable[[Coroutine[Any, Any, None]], object]


def order_key(update: object) -> object:
    """What an update must keep its order within: its chat, else its sender, else everything else."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Queues each update behind its chat's earlier ones; one worker per chat with updates pending."""

    __slots__ = ("_idle", "_places", "_queues", "spawn")

    def __init__(self, busy_chats: int = MAX_BUSY_CHATS) -> None:
        super().__init__(1)  # PTB waits for do_process_update, which only queues: updates arrive in order
        self._queues: dict[object, deque[Awaitable[Any]]] = {}
        self._places = asyncio.Semaphore(busy_chats)
        self._idle = asyncio.Event()
        self._idle.set()
        self.spawn: Spawn = asyncio.create_task

    def attach(self, app: Application) -> None:  # type: ignore[type-arg]
        """Start workers as the application's tasks, so that stopping it waits until every queued update is
        handled (the Bot API connection is closed only after that)."""
        self.spawn = app.create_task

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Queue the update behind its chat's pending ones, starting the chat's worker if it has none."""
        key = order_key(update)
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(coroutine)
            return
        self._queues[key] = deque((coroutine,))
        self._idle.clear()
        self.spawn(self.work(key))

    async def handled(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Queue an update like any other and return once it was handled (or failed): a webhook call is
        answered only then, and two calls for one chat arriving at once keep their order."""
        done = asyncio.get_running_loop().create_future()

        async def then_done() -> None:
            """The update's handling, then the caller told."""
            try:
                await coroutine
            finally:
                if not done.done():
                    done.set_result(None)

        await self.do_process_update(update, then_done())
        await done

    async def work(self, key: object) -> None:
        """Handle one chat's updates in order until none is left."""
        queue = self._queues[key]
        try:
            while queue:
                async with self._places:
                    try:
                        await queue[0]
                    except Exception:  # PTB's error handlers saw it already; the chat's next update goes on
                        log.exception("handling an update failed")
                queue.popleft()
        finally:
            del self._queues[key]
            if not self._queues:
                self._idle.set()

    async def drained(self) -> None:
        """Return once every queued update is handled (tests, the shell)."""
        await self._idle.wait()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: stopping the application waited for the workers."""


async def settled(app: Application) -> None:  # type: ignore[type-arg]
    """Return once the application has fetched and handled every update it was given."""
    await app.update_queue.join()
    processor = app.update_processor
    if isinstance(processor, ChatOrderedProcessor):
        await processor.drained()
