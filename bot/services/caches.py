"""Every service cache in one place, so a newly opened database (a start, a test) sees nothing of the last."""

from __future__ import annotations

from bot.services.channels import links, pacing
from bot.services.scheduling import shop_calendar
from bot.services.shifts import roster
from bot.services.team import chats, people, rules


def forget_all() -> None:
    """Drop what every service cached from the database that was open before."""
    for forget in (
        people.forget_cache,
        chats.forget_cache,
        rules.forget_cache,
        shop_calendar.forget_cache,
        links.forget_cache,
        pacing.forget_cache,
        roster.forget_cache,
    ):
        forget()
