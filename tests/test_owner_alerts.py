"""Errors reach the owners in private, at most once per distinct error per hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from tests.harness import ALICE, BOB, TEAM, Harness

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A feature with a bug."""
    raise ZeroDivisionError("the bug")


async def burst(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Another bug."""
    raise KeyError("other")


def alerts(bot: Harness) -> list[str]:
    """Texts the owner (Alice) got in private that are error alerts."""
    return [
        str(m.get("text", "")) for m in bot.api.sent(ALICE) if "An error occurred" in str(m.get("text", ""))
    ]


async def test_owner_hears_of_each_distinct_error_once_an_hour(
    bot: Harness, clock: time_machine.Coordinates
) -> None:
    bot.app.add_handler(CommandHandler("boom", boom))
    bot.app.add_handler(CommandHandler("other", burst))
    assert "Sorry, something went wrong" in await bot.say(BOB, "/boom")
    await bot.say(BOB, "/boom")
    [alert] = alerts(bot)
    assert "ZeroDivisionError: the bug (test_owner_alerts.py:" in alert
    assert "at most once an hour" in alert and "Traceback" not in alert
    assert not [m for m in bot.api.sent(TEAM) if "ZeroDivision" in str(m.get("text", ""))]
    await bot.say(BOB, "/other")
    assert len(alerts(bot)) == 2  # a different error is reported at once
    clock.shift(timedelta(minutes=61))
    await bot.say(BOB, "/boom")
    assert len(alerts(bot)) == 3
