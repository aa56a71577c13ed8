"""Updates of one chat are handled in order, one at a time; other chats do not wait for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.ext import ApplicationBuilder

from bot.chat_order import ChatOrderedProcessor

pytestmark = pytest.mark.asyncio


def update(number: int, chat_id: int) -> Update:
    """A text message from chat `chat_id`."""
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    user = User(abs(chat_id), "P", False)
    return Update(number, message=Message(number, datetime(2026, 12, 1), chat, from_user=user, text="hi"))


def logged(log: list[str], release: asyncio.Event) -> Callable[..., Coroutine[Any, Any, None]]:
    """A handler that logs its start and end, and when told to hold, waits for `release` in between."""

    async def handle(name: str, hold: bool = False) -> None:
        log.append(f"{name} starts")
        if hold:
            await release.wait()
        log.append(f"{name} ends")

    return handle


async def test_a_chat_waits_for_its_own_earlier_update_but_not_for_other_chats() -> None:
    processor = ChatOrderedProcessor()
    log: list[str] = []
    release = asyncio.Event()
    handle = logged(log, release)

    await processor.process_update(update(1, 7), handle("A1", hold=True))
    await processor.process_update(update(2, 7), handle("A2"))
    await processor.process_update(update(3, -5), handle("B1"))
    await asyncio.sleep(0.01)
    assert log == ["A1 starts", "B1 starts", "B1 ends"]
    release.set()
    await processor.drained()
    assert log == ["A1 starts", "B1 starts", "B1 ends", "A1 ends", "A2 starts", "A2 ends"]


async def test_webhook_calls_return_once_handled_and_one_chats_calls_keep_their_order() -> None:
    processor = ChatOrderedProcessor()
    log: list[str] = []
    release = asyncio.Event()
    handle = logged(log, release)

    first = asyncio.create_task(processor.handled(update(1, 7), handle("A1", hold=True)))
    second = asyncio.create_task(processor.handled(update(2, 7), handle("A2")))
    other = asyncio.create_task(processor.handled(update(3, -5), handle("B1")))
    await other
    assert log == ["A1 starts", "B1 starts", "B1 ends"]
    assert not first.done() and not second.done()  # no answer to Telegram before the update is handled
    release.set()
    await asyncio.gather(first, second)
    assert log == ["A1 starts", "B1 starts", "B1 ends", "A1 ends", "A2 starts", "A2 ends"]


async def test_a_failed_update_lets_the_next_one_of_its_chat_run(caplog: pytest.LogCaptureFixture) -> None:
    processor = ChatOrderedProcessor()
    done: list[int] = []

    async def fail() -> None:
        raise RuntimeError("boom")

    async def note() -> None:
        done.append(2)

    await processor.process_update(update(1, 7), fail())
    await processor.process_update(update(2, 7), note())
    await processor.drained()
    assert done == [2]
    assert "handling an update failed" in caplog.text


async def test_a_hundred_updates_of_one_chat_keep_their_order() -> None:
    processor = ChatOrderedProcessor(busy_chats=1)
    seen: list[int] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(0.001 * (number % 3))  # later ones would overtake if they could
        seen.append(number)

    for n in range(100):
        await processor.process_update(update(n, -5 if n % 2 else 7), handle(n))
    await processor.drained()
    assert [n for n in seen if n % 2] == list(range(1, 100, 2))
    assert [n for n in seen if not n % 2] == list(range(0, 100, 2))


async def test_stopping_the_bot_handles_what_was_queued_first() -> None:
    processor = ChatOrderedProcessor()
    app = ApplicationBuilder().token("1:x").concurrent_updates(processor).job_queue(None).build()
    processor.attach(app)
    handled: list[int] = []

    async def slow(number: int) -> None:
        await asyncio.sleep(0.05)
        handled.append(number)

    app._running = True  # as while polling: create_task tracks the workers for stop()
    app._initialized = True
    for n in range(3):
        await processor.process_update(update(n, 7), slow(n))
    await app.stop()
    assert handled == [0, 1, 2]
