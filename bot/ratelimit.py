"""A rate limiter shaped like Telegram's own rolling windows, so a burst never draws a 429 it could avoid."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import warnings
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
Reply = bool | JSONDict | list[JSONDict]
"""What the Bot API answers a request with."""

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
MARGIN = 0.05
"""Seconds added to each window: requests may reach Telegram a little out of the order they left in."""
REPLY_RETRIES = 3
GROUP_RESERVE = 3
"""Sends a group's minute keeps for what must be said there (refusals, alarms, hand-overs): replies give way
to private chats and reactions before the budget falls to this (handlers/crowd.py)."""
NOT_MESSAGES = frozenset(
    {"setMessageReaction", "deleteMessage", "deleteMessages", "sendChatAction", "answerCallbackQuery"}
)
"""Endpoints with a chat that Telegram does not count as messages: no window holds them back."""
EDITS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
"""Changes to a message already in the chat (a card's new status, a list's next page). Nobody waits for their
result, so in a group at its limit they go out as its budget returns, without holding up the chat's next
updates (the press was already answered with a toast); the caller gets True, as for an inline message."""


@dataclass(frozen=True)
class Bulk:
    """A posting nobody waits for (alarm, digest): paced to 30/s overall; a 429 comes back after `retries`."""

    retries: int = 0


class RollingWindow:
    """At most `limit` acquisitions in any `period` seconds; waiters are served in turn."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float]) -> None:
        self.limit, self.period, self.clock = limit, period + MARGIN, clock
        self.stamps: deque[float] = deque(maxlen=limit)
        self.turn = asyncio.Lock()
        self.waiting = 0
        """Acquisitions asked for and not yet counted: they spend the window before anything asked later."""

    def free_in(self) -> float:
        """Seconds until one more acquisition fits in the window."""
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.period - self.clock()

    def stamp(self) -> None:
        """Count one acquisition now."""
        self.stamps.append(self.clock())

    def budget(self) -> int:
        """Acquisitions that would go at once now, after those already waiting."""
        now = self.clock()
        used = sum(1 for stamp in self.stamps if stamp + self.period > now)
        return max(0, self.limit - used - self.waiting)

    def wait_after(self, keep: int) -> float:
        """Seconds until the window has room for one more beyond those waiting and `keep` more."""
        now = self.clock()
        stamps = [stamp for stamp in self.stamps if stamp + self.period > now]
        at = now
        for _ in range(self.waiting + keep + 1):
            if len(stamps) >= self.limit:
                at = max(at, stamps[-self.limit] + self.period)
            stamps.append(at)
        return at - now


class RollingRateLimiter(BaseRateLimiter[Bulk]):
    """Bulk postings: 30 in any second overall; every message: 20 in any minute per group. Bursts go at once.

    PTB's `AIORateLimiter` uses leaky buckets, which admit a 31st message in the same second after a
    pause, and Telegram answers that one with 429. A reply to a person who just wrote is counted in the
    overall window but not held back by it (Telegram's 30/s is about bulk notifications, and pacing
    replies at exactly that rate would queue them). A 429 pauses only the chat it came from (Telegram's
    flood waits are per chat), is waited out and retried, then raised to the caller.
    """

    def __init__(
        self,
        retries: int = REPLY_RETRIES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.retries, self.clock, self.sleep = retries, clock, sleep
        self.overall = RollingWindow(OVERALL_PER_SECOND, 1.0, self.now)
        self.groups: defaultdict[int | str, RollingWindow] = defaultdict(
            lambda: RollingWindow(GROUP_PER_MINUTE, 60.0, self.now)
        )
        self.paused_until: dict[object, float] = {}
        self.deferred: set[asyncio.Task[object]] = set()
        """Edits waiting for their group's budget (see EDITS)."""

    def now(self) -> float:
        """The limiter's clock (read each time, so a test may swap it for one it moves itself)."""
        return self.clock()

    def group_budget(self, chat_id: int | str) -> int:
        """Messages a group may still get at once in its rolling minute (0 for a group at its limit)."""
        return self.groups[chat_id].budget() if is_group(chat_id) else GROUP_PER_MINUTE

    def group_wait(self, chat_id: int | str, keep: int = 0) -> float:
        """Seconds until one more message to the group goes at once with `keep` sends still to spare."""
        if not is_group(chat_id):
            return 0.0
        return max(self.groups[chat_id].wait_after(keep), self.paused_for(chat_id))

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Drop the edits still waiting for their group's budget: the changes they show are stored, and the
        Bot API connection closes after this."""
        if self.deferred:
            log.warning(
                "%d card edits waiting for their group's budget dropped at shutdown", len(self.deferred)
            )
        for task in list(self.deferred):
            task.cancel()

    async def acquire(self, chat_id: int | str | None, bulk: bool) -> None:
        """Wait until one more message to `chat_id` stays within its windows and any pause on it; while it
        waits it counts as spent in the group's budget, so nobody is promised a send it is queued for."""
        group = self.groups[chat_id] if is_group(chat_id) else None  # type: ignore[index]
        if group is None:
            await self.wait(lambda: self.paused_for(chat_id))
            await self.take_overall(bulk)
            return
        group.waiting += 1
        try:
            await self.wait(lambda: self.paused_for(chat_id))
            async with group.turn:
                await self.wait(group.free_in)
                await self.take_overall(bulk)
                group.stamp()
        finally:
            group.waiting -= 1

    async def take_overall(self, bulk: bool) -> None:
        """Count one message in the overall second; bulk postings wait for room there first."""
        async with self.overall.turn if bulk else contextlib.nullcontext():
            if bulk:
                await self.wait(self.overall.free_in)
            self.overall.stamp()

    def paused_for(self, chat_id: object) -> float:
        """Seconds left of a 429's wait on this chat."""
        return self.paused_until.get(chat_id, 0.0) - self.clock()

    async def wait(self, remaining: Callable[[], float]) -> None:
        """Sleep until `remaining()` is no longer positive."""
        while (delay := remaining()) > 0:
            await self.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Reply]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Bulk | None,
    ) -> Reply:
        """Send within the limits; wait out a 429 for its chat and retry, up to the allowed count. An edit
        in a group at its limit goes later (EDITS)."""
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        send = self.send(functools.partial(callback, *args, **kwargs), endpoint, chat_id, rate_limit_args)
        if endpoint in EDITS and is_group(chat_id) and self.group_wait(chat_id) > 0:  # type: ignore[arg-type]
            task: asyncio.Task[object] = asyncio.create_task(self.quietly(endpoint, chat_id, send))
            self.deferred.add(task)
            task.add_done_callback(self.deferred.discard)
            return True
        return await send

    async def quietly(self, endpoint: str, chat_id: object, send: Awaitable[Any]) -> object:
        """A deferred edit: its failure is logged, since nobody awaits it."""
        try:
            return await send
        except TelegramError as exc:
            log.warning(
                "%s in chat %s, sent later for the group's budget, failed: %s", endpoint, chat_id, exc
            )
            return None

    async def send(
        self, request: Callable[[], Awaitable[Reply]], endpoint: str, chat_id: Any, bulk: Bulk | None
    ) -> Reply:
        """One request within the limits, with its 429 retries."""
        retries = self.retries if bulk is None else bulk.retries
        attempt = 0
        while True:
            if chat_id is not None and endpoint not in NOT_MESSAGES:
                await self.acquire(chat_id, bulk=bulk is not None)
            try:
                return await request()
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                attempt += 1
                wait = retry_seconds(exc) + 0.1
                log.info("%s to chat %s hit 429: waiting %.1f s", endpoint, chat_id, wait)
                self.paused_until[chat_id] = self.clock() + wait
                if chat_id is None:
                    await self.sleep(wait)


def retry_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, read without PTB's int-or-timedelta deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value if isinstance(value, int) else value.total_seconds()


def is_group(chat_id: object) -> bool:
    """Group and channel ids are negative numbers or @usernames; the per-group window applies to them."""
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
