"""A team of 30 logging records in one group beyond Telegram's 20 messages a minute: everyone sees an
acknowledgement at once, no 429 reaches anyone, and no card is lost.

The fake server enforces Telegram's limits. The bot's rate limiter and the server share a clock the test moves
by hand (`ManualTime`), so a minute takes no real time and "at once" means "before the clock moved".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.fakeapi import ApiCall
from bot.fakeapi.driver import handled
from bot.ratelimit import GROUP_PER_MINUTE, GROUP_RESERVE, RollingRateLimiter
from bot.services.records import book as records
from handlers import crowd
from tests.fake_time import TestClock
from tests.harness import ALICE, DAVE, TEAM, Harness

AGENTS = 30
FIRST_AGENT = 5001
NEVER_STARTED = frozenset(range(FIRST_AGENT + 20, FIRST_AGENT + AGENTS))
"""The last ten never pressed Start in a private chat with the bot: Telegram answers 403 to it."""
ERIN = 5100
"""After-sales: she may not mark a review case revised (reviewers do): its card must reach the group."""
ORDER = 710_000_000_000_000_000
THUMBS_UP, EYES = "👍", "👀"


class ManualTime(TestClock):
    """The clock of the bot's rate limiter and of the fake server's limits, moved only by the test."""

    def __init__(self) -> None:
        super().__init__(time.monotonic() + 1000.0)  # after everything the limiter counted while starting

    async def advance(self, seconds: float) -> None:
        """Move on and wake whoever slept until then; let them run."""
        self.now += seconds
        self.wake_due()
        await asyncio.sleep(0.01)


def sent_to(call: ApiCall, chat: int) -> bool:
    """Whether the call is a message the server accepted in that chat."""
    return call.method == "sendMessage" and int(call.params["chat_id"]) == chat and call.status == 200


@dataclass(frozen=True)
class Command:
    """One command typed in the group and what the bot did while handling it (before the clock moved)."""

    user: int
    message_id: int
    calls: list[ApiCall]

    def reaction(self) -> str | None:
        """The emoji the bot put on this message, if any."""
        for call in self.calls:
            if call.method == "setMessageReaction" and call.params["message_id"] == self.message_id:
                return str(call.params["reaction"][0]["emoji"])
        return None

    def group_reply(self) -> dict[str, Any] | None:
        """The bot's message in the group quoting this command, if any."""
        for call in self.calls:
            if sent_to(call, TEAM) and (call.result.get("reply_to_message") or {}).get("message_id") == (
                self.message_id
            ):
                return dict(call.result)
        return None

    def private_reply(self) -> dict[str, Any] | None:
        """The bot's message in the person's private chat, if any."""
        for call in self.calls:
            if sent_to(call, self.user):
                return dict(call.result)
        return None


@pytest.fixture
async def team(db_url: str) -> AsyncIterator[tuple[Harness, ManualTime]]:
    """The bot with its limiter on, 30 agents (owners: they may press any button on their cards) and Erin."""
    agents = ",".join(str(FIRST_AGENT + n) for n in range(AGENTS))
    async with Harness.running(db_url, BOT_RATE_LIMIT="true", BOT_OWNER_IDS=f"{ALICE},{agents}") as bot:
        for n in range(AGENTS):
            bot.api.user(FIRST_AGENT + n, f"Agent{n + 1}", f"agent{n + 1}")
        for user in NEVER_STARTED:
            bot.api.block(user)
        bot.api.user(ERIN, "Erin", "erin")
        await bot.introduce(ERIN)
        assert "is now" in await bot.say(ALICE, "/role @erin aftersale", chat=ALICE)
        clock = ManualTime()
        limiter = bot.app.bot.rate_limiter
        assert isinstance(limiter, RollingRateLimiter)
        limiter.clock, limiter.sleep = clock.clock, clock.sleep
        bot.api.enforce_limits(clock=clock.clock)
        yield bot, clock


async def command(bot: Harness, user: int, text: str) -> Command:
    """Type a command in the team group and collect what the bot did while handling it."""
    update = bot.api.message(TEAM, user, text)
    calls = await handled(bot.api, bot.app, update)
    return Command(user, int(update["message"]["message_id"]), calls)


def record_command(n: int) -> str:
    """A refund or a courier query, every number new."""
    if n % 2 == 0:
        return f"/refund {ORDER + n} 12.5 damaged buyer=tb_{n} postage=shop"
    return f"/courier SF{880_000_000 + n} overdue"


async def until_drained(bot: Harness, clock: ManualTime, limit_seconds: int = 300) -> None:
    """Let the clock run a second at a time until the group's backlog is posted."""
    for _ in range(limit_seconds):
        backlog = crowd.backlogs(bot.app).get(TEAM)
        if backlog is None or (backlog.size == 0 and (backlog.task is None or backlog.task.done())):
            return
        await clock.advance(1)
        await asyncio.sleep(0.02)
    raise AssertionError("the group's backlog was not posted within the simulated minutes")


def group_messages(bot: Harness) -> list[ApiCall]:
    """Every message and edit the server accepted in the team group."""
    sending = {"sendMessage", "editMessageText", "editMessageReplyMarkup"}
    return [c for c in bot.api.calls if c.method in sending and int(c.params.get("chat_id", 0)) == TEAM]


async def test_thirty_people_beyond_the_limit_are_all_acknowledged_at_once_and_no_card_is_lost(
    team: tuple[Harness, ManualTime],
) -> None:
    bot, clock = team
    done: list[Command] = []
    for n in range(AGENTS):
        done.append(await command(bot, FIRST_AGENT + n, record_command(n)))
        await clock.advance(1)
    erin = await command(bot, ERIN, f"/review {ORDER + 99} tb_lee negative")
    refused = await command(bot, DAVE, f"/refund {ORDER + 98} 3 damaged")

    # every command was acknowledged while it was handled: a card in the group, or a reaction
    for item in [*done, erin]:
        assert item.group_reply() or item.reaction(), f"{item.user} saw nothing"
    assert not [c for c in bot.api.calls if c.status == 429]
    assert bot.api.limit_violations == 0

    # the group's budget went to cards until the reserve, and no further
    in_group = [item for item in done if item.group_reply()]
    assert len(in_group) == GROUP_PER_MINUTE - GROUP_RESERVE
    assert all("✅ Saved." in str(item.group_reply()["text"]) for item in in_group)  # type: ignore[index]
    assert all(item.reaction() is None for item in in_group)
    later = done[len(in_group) :]
    assert all(item.group_reply() is None for item in later)

    # people who started the bot got their card in private and 👍 on their message
    private = [item for item in later if item.user not in NEVER_STARTED]
    assert private
    for item in private:
        card = item.private_reply()
        assert card is not None and "✅ Saved." in card["text"]
        assert item.reaction() == THUMBS_UP
    # the others saw 👀: their card follows in the group
    for item in [item for item in later if item.user in NEVER_STARTED]:
        assert item.reaction() == EYES and item.private_reply() is None

    # Erin's review case: in private at once, and the group gets the card a reviewer must press
    assert erin.reaction() == THUMBS_UP and erin.private_reply() is not None
    # a refusal spends the reserve: Dave is told in the group at once
    answer = refused.group_reply()
    assert answer is not None and "needs a role" in answer["text"]

    await until_drained(bot, clock)
    assert bot.api.limit_violations == 0
    assert not [c for c in bot.api.calls if c.status == 429]

    posted = [c.result for c in group_messages(bot) if c.method == "sendMessage" and c.status == 200]
    quoting = {(m.get("reply_to_message") or {}).get("message_id"): m for m in posted}
    for item in [item for item in later if item.user in NEVER_STARTED]:
        card = quoting.get(item.message_id)
        assert card is not None and "✅ Saved." in card["text"], f"{item.user}'s card never reached the group"
        assert await records.record_for_card(TEAM, card["message_id"]) is not None
    case = quoting.get(erin.message_id)
    assert case is not None and case["reply_markup"]["inline_keyboard"]
    assert await records.record_for_card(TEAM, case["message_id"]) is not None
    assert await records.record_for_card(ERIN, erin.private_reply()["message_id"]) is not None  # type: ignore[index]

    # one folded message names every card that went to private, edited in place rather than repeated
    folded = [m for m in bot.api.sent(TEAM) if m["text"].startswith("⏳")]
    assert len(folded) == 1
    for item in private:
        card_id = str(item.private_reply()["text"]).split(" ", 1)[0]  # type: ignore[index]
        assert card_id in folded[0]["text"] and f"@agent{item.user - FIRST_AGENT + 1}" in folded[0]["text"]

    # a second wave: the folded message is edited in place with the new lines, once its minute is over
    await clock.advance(1)
    again = [await command(bot, FIRST_AGENT + n, record_command(100 + n)) for n in range(12)]
    assert all(item.group_reply() or item.reaction() == THUMBS_UP for item in again)
    await until_drained(bot, clock)
    assert bot.api.limit_violations == 0
    folded = [m for m in bot.api.sent(TEAM) if m["text"].startswith("⏳")]
    assert len(folded) == 1 and "edit_date" in folded[0]
    for item in [item for item in again if item.reaction() == THUMBS_UP]:
        assert str(item.private_reply()["text"]).split(" ", 1)[0] in folded[0]["text"]  # type: ignore[index]
