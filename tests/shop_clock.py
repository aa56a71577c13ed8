"""The end-to-end tests' clock and bot-output helpers, kept here once so no test file keeps its own copy."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from openpyxl import Workbook

from bot.fakeapi.server import ApiCall
from tests.harness import ALICE, BOB, CAROL, Harness

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Asia/Shanghai (winter hours): where the `clock` fixture starts by default."""

FINANCE_COLUMNS = [
    "buyer ID",
    "real name",
    "Alipay account",
    "amount",
    "refund reason",
    "postage payer",
    "return tracking",
    "insurance",
    "order number",
    "record id",
    "already refunded in",
]
"""The English header row of finance's refund table, in the order finance checks it."""


def wake(bot: Harness) -> None:
    """Let the JobQueue run whatever fell due at the clock's new time."""
    assert bot.app.job_queue is not None
    bot.app.job_queue.scheduler.wakeup()


async def advance(bot: Harness, clock: time_machine.Coordinates, delta: timedelta) -> None:
    """Move the clock on by `delta` and let the JobQueue run whatever fell due."""
    clock.shift(delta)
    wake(bot)


async def advance_to(bot: Harness, clock: time_machine.Coordinates, moment: datetime) -> None:
    """Move the clock to `moment` and let the JobQueue run whatever fell due."""
    clock.move_to(moment)
    wake(bot)


async def posted(
    bot: Harness, chat: int, needle: str, *, after: int = 0, method: str = "sendMessage"
) -> ApiCall:
    """Wait for the bot to post something (text or caption) containing `needle` in `chat`."""
    return await bot.api.wait_for(
        method,
        lambda call: (
            int(call.params["chat_id"]) == chat
            and needle in str(call.params.get("text") or call.params.get("caption") or "")
        ),
        after=after,
    )


def texts(bot: Harness, chat: int, needle: str) -> list[str]:
    """Every text the bot sent to `chat` that contains `needle`."""
    return [m.get("text", "") for m in bot.api.sent(chat) if needle in m.get("text", "")]


def buttons(message: ApiCall | dict[str, Any]) -> list[str]:
    """The labels of the inline buttons under a message (or under the message a call sent)."""
    params = message.params if isinstance(message, ApiCall) else message
    markup = params.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def register(bot: Harness, purpose: str, chat: int, user: int = ALICE) -> str:
    """/setup a group as `user`; a finance or warehouse group (unmasked data) is confirmed with its button.
    Returns what the bot said."""
    asked = await bot.send(user, f"/setup {purpose}", chat)
    if not buttons(asked[-1]):
        return "\n".join(str(m.get("text", "")) for m in asked)
    done = await bot.press(user, chat, asked[-1]["message_id"], 1)
    return "\n".join(str(m.get("text", "")) for m in done)


def last_answer(bot: Harness) -> dict[str, Any]:
    """The bot's latest answer to a button press."""
    return bot.api.calls_to("answerCallbackQuery")[-1].params


async def agents(bot: Harness) -> None:
    """Bob (after-sales) and Carol (pre-sales) are agents the bot has seen."""
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol presale")


def workbook(rows: list[list[object]]) -> bytes:
    """An xlsx as a supervisor saves it from Excel: one sheet, these rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
