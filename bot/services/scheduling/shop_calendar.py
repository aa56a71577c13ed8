"""The shop's working days: China's official calendar (调休 included) with the days the shop changed, read
from the database once and kept until the next change."""

from __future__ import annotations

from bot.models import ShopDay
from bot.services import invalidation
from bot.services.when import CHINA, ShopCalendar

OFF, WORK = "off", "work"
_cached: ShopCalendar | None = None


def forget_cache() -> None:
    """Re-read the shop's days next time (a day changed, or a new database was opened)."""
    global _cached
    _cached = None


invalidation.register("calendar", lambda _key: forget_cache())


async def current() -> ShopCalendar:
    """The calendar working-day schedules fire by."""
    global _cached
    if _cached is None:
        rows = await ShopDay.all().values_list("day", "kind")
        off = frozenset(day for day, kind in rows if kind == OFF)
        work = frozenset(day for day, kind in rows if kind == WORK)
        _cached = ShopCalendar(off, work) if rows else CHINA
    return _cached
