"""Keeps every robot under its vendor's limit (20 posts in any 60 s) with a rolling window that never lets a
21st through: DingTalk throttles a robot for ten minutes after one post too many.

The window is seeded from the delivery rows the robot was sent in the last minute, so a restart does not
forget what went out just before it.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.models import Delivery
from bot.services.channels.vendors import VENDORS

LIMIT = 20
PERIOD = timedelta(seconds=61)
"""A minute and a second: the vendors' own clocks may run a little behind ours."""

_windows: dict[int, deque[datetime]] = {}


def forget_cache() -> None:
    """Drop the windows (a new database was opened)."""
    _windows.clear()


async def _window(robot_id: int, now: datetime) -> deque[datetime]:
    """A robot's recent posts, read from its deliveries the first time it is asked about."""
    window = _windows.get(robot_id)
    if window is None:
        sent = await Delivery.filter(
            channel__in=VENDORS, recipient=robot_id, sent_at__gte=now - PERIOD
        ).values_list("sent_at", flat=True)
        times: list[object] = list(sent)
        window = _windows[robot_id] = deque(sorted(at for at in times if isinstance(at, datetime)))
    while window and window[0] <= now - PERIOD:
        window.popleft()
    return window


async def wait_before(robot_id: int, now: datetime) -> timedelta:
    """How long until the robot may take one more post (zero: now)."""
    window = await _window(robot_id, now)
    if len(window) < LIMIT:
        return timedelta(0)
    return window[-LIMIT] + PERIOD - now


async def note(robot_id: int, now: datetime) -> None:
    """Count a post as it is sent (before the answer, so an answer lost to a crash still counts)."""
    (await _window(robot_id, now)).append(now)
