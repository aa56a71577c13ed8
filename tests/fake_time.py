"""A clock and a sleep for the rate limiter that only the test moves: minutes of limits take no real time."""

from __future__ import annotations

import asyncio


class TestClock:
    """The limiter's `clock` and `sleep`; the test decides when sleepers wake."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def clock(self) -> float:
        """The time the test has moved to."""
        return self.now

    async def sleep(self, delay: float) -> None:
        """Wait until the test moves the clock past `delay` from now."""
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + delay, wake))
        await wake

    def wake_due(self) -> None:
        """Wake everyone whose time has come."""
        for item in [item for item in self.sleepers if item[0] <= self.now]:
            self.sleepers.remove(item)
            if not item[1].done():
                item[1].set_result(None)
