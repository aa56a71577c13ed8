"""The rate limiter keeps bursts inside Telegram's rolling windows and waits out a 429 for its chat only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.ratelimit import GROUP_PER_MINUTE, MARGIN, Bulk, RollingRateLimiter
from tests.fake_time import TestClock

GROUP = -100
OTHER_GROUP = -200


class FakeTime(TestClock):
    """A clock that jumps to the next wake-up whenever every task waits: minutes take no real time."""

    async def run(self, *work: Awaitable[Any]) -> list[Any]:
        everything = asyncio.gather(*work)
        while not everything.done():
            for _ in range(50):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if self.sleepers and not everything.done():
                self.now = min(at for at, _ in self.sleepers)
                self.wake_due()
        return await everything


def limiter(time: FakeTime, retries: int = 3) -> RollingRateLimiter:
    return RollingRateLimiter(retries=retries, clock=time.clock, sleep=time.sleep)


async def send(
    rl: RollingRateLimiter, chat_id: int, reply: Callable[[], Awaitable[Any]], bulk: Bulk | None = None
) -> Any:
    return await rl.process_request(reply, (), {}, "sendMessage", {"chat_id": chat_id}, bulk)


def most_in_any_window(stamps: list[float], period: float) -> int:
    return max(sum(1 for other in stamps if stamp <= other < stamp + period) for stamp in stamps)


async def test_a_bulk_burst_to_many_chats_goes_out_thirty_a_second_at_once_and_never_thirty_one() -> None:
    time = FakeTime()
    rl = limiter(time)
    sent: list[float] = []

    async def post() -> bool:
        sent.append(time.now)
        return True

    await time.run(*(send(rl, 1000 + n, post, Bulk()) for n in range(95)))
    assert len(sent) == 95
    assert sent[:30] == [0.0] * 30  # a burst is not spread out
    assert most_in_any_window(sent, 1.0) == 30
    assert max(sent) < 3 * (1 + MARGIN) + 0.01  # 95 messages need four one-second windows, no more


async def test_replies_to_people_are_not_held_back_by_the_overall_window_but_bulk_yields_to_them() -> None:
    time = FakeTime()
    rl = limiter(time)
    sent: list[tuple[str, float]] = []

    def sender(kind: str) -> Callable[[], Awaitable[bool]]:
        async def reply() -> bool:
            sent.append((kind, time.now))
            return True

        return reply

    await time.run(*(send(rl, 1000 + n, sender("reply")) for n in range(40)))
    await time.run(send(rl, 2000, sender("bulk"), Bulk()))
    assert [at for kind, at in sent if kind == "reply"] == [0.0] * 40
    assert [at for kind, at in sent if kind == "bulk"] == [pytest.approx(1 + MARGIN)]


async def test_a_group_gets_twenty_a_minute_while_other_chats_go_on() -> None:
    time = FakeTime()
    rl = limiter(time)
    sent: dict[int, list[float]] = {GROUP: [], OTHER_GROUP: []}

    def reply_to(chat: int) -> Callable[[], Awaitable[bool]]:
        async def reply() -> bool:
            sent[chat].append(time.now)
            return True

        return reply

    await time.run(
        *(send(rl, GROUP, reply_to(GROUP)) for _ in range(25)),
        *(send(rl, OTHER_GROUP, reply_to(OTHER_GROUP), Bulk()) for _ in range(5)),
    )
    assert sent[GROUP][:20] == [0.0] * 20
    assert min(sent[GROUP][20:]) >= 60.0
    assert most_in_any_window(sent[GROUP], 60.0) == 20
    assert sent[OTHER_GROUP] == [0.0] * 5


async def test_a_429_is_waited_out_for_its_chat_and_retried_while_other_chats_go_on() -> None:
    time = FakeTime()
    rl = limiter(time)
    attempts: list[float] = []
    other: list[float] = []

    async def flooded_once() -> bool:
        attempts.append(time.now)
        if len(attempts) == 1:
            raise RetryAfter(7)
        return True

    async def other_chat_a_second_later() -> bool:
        await time.sleep(1)

        async def reply() -> bool:
            other.append(time.now)
            return True

        return bool(await send(rl, OTHER_GROUP, reply))

    assert await time.run(send(rl, GROUP, flooded_once), other_chat_a_second_later()) == [True, True]
    assert attempts[0] == 0.0
    assert attempts[1] >= 7.0
    assert other == [1.0]


async def test_a_caller_that_allows_no_retries_gets_the_429_at_once() -> None:
    time = FakeTime()
    rl = limiter(time)

    async def flooded() -> bool:
        raise RetryAfter(5)

    with pytest.raises(RetryAfter):
        await send(rl, GROUP, flooded, Bulk(0))
    assert time.now == 0.0


async def test_after_the_last_retry_the_429_reaches_the_caller() -> None:
    time = FakeTime()
    rl = limiter(time, retries=2)
    calls: list[float] = []

    async def flooded() -> bool:
        calls.append(time.now)
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await time.run(send(rl, GROUP, flooded))
    assert len(calls) == 3


async def test_reactions_and_deletions_do_not_spend_a_groups_minute() -> None:
    limiter = RollingRateLimiter(clock=lambda: 0.0)
    sent = 0

    async def call() -> bool:
        nonlocal sent
        sent += 1
        return True

    for endpoint in ("setMessageReaction", "deleteMessage"):
        await limiter.process_request(call, (), {}, endpoint, {"chat_id": GROUP}, None)
    assert limiter.group_budget(GROUP) == GROUP_PER_MINUTE
    for _ in range(GROUP_PER_MINUTE - 1):
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": GROUP}, None)
    assert limiter.group_budget(GROUP) == 1
    assert limiter.group_wait(GROUP) == 0
    assert limiter.group_wait(GROUP, keep=1) == pytest.approx(60 + MARGIN)
    assert sent == GROUP_PER_MINUTE + 1


async def test_sends_waiting_for_a_group_count_as_spent_until_they_go() -> None:
    time = FakeTime()
    rl = limiter(time)

    async def post() -> bool:
        return True

    queued = [asyncio.ensure_future(send(rl, GROUP, post)) for _ in range(GROUP_PER_MINUTE + 2)]
    for _ in range(50):
        await asyncio.sleep(0)
    assert rl.group_budget(GROUP) == 0
    assert rl.group_wait(GROUP) == pytest.approx(60 + MARGIN)
    assert rl.group_budget(OTHER_GROUP) == GROUP_PER_MINUTE
    await time.run(*queued)
    assert rl.group_budget(GROUP) == GROUP_PER_MINUTE - 2


async def test_an_edit_in_a_group_at_its_limit_goes_later_and_its_caller_does_not_wait() -> None:
    time = FakeTime()
    rl = limiter(time)
    sent: list[tuple[str, float]] = []

    def sender(kind: str) -> Callable[[], Awaitable[dict[str, str]]]:
        async def request() -> dict[str, str]:
            sent.append((kind, time.now))
            return {"kind": kind}

        return request

    async def edit(chat_id: int, kind: str) -> Any:
        return await rl.process_request(sender(kind), (), {}, "editMessageText", {"chat_id": chat_id}, None)

    assert await edit(GROUP, "edit with room") == {"kind": "edit with room"}  # room left: sent, as always
    await time.run(*(send(rl, GROUP, sender("card")) for _ in range(GROUP_PER_MINUTE - 1)))

    assert await edit(GROUP, "late edit") is True  # at once: the chat's next updates are not held up
    assert await edit(OTHER_GROUP, "other group") == {"kind": "other group"}
    assert [kind for kind, _ in sent].count("late edit") == 0
    await time.run(*rl.deferred)
    assert sent[-1] == ("late edit", pytest.approx(60 + MARGIN))  # when the group's minute had room again
