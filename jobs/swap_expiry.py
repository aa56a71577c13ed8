"""A swap nobody decided on within its time is cancelled, and the chat it was asked in is told."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Occurrence, Schedule, SwapRequest
from bot.render.context import App, chat_translator
from bot.services.scheduling import schedules
from bot.services.shifts import swaps
from jobs import engine


async def expire(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """Cancel the swap if it is still open and say so; a decided swap needs nothing."""
    request = await SwapRequest.get_or_none(id=int((schedule.ref or "").partition(":")[2] or 0))
    if (
        request is None
        or await swaps.move(request, swaps.EXPIRED, actor_id=None, chat_id=schedule.chat_id) is None
    ):
        await schedules.mark_sent(occurrence, None, engine.now())
        return None
    t = await chat_translator(app, schedule.chat_id)
    text = t(
        "⌛ Swap #{id} expired: it was not decided within {hours} h. The roster stays as it was.",
        id=request.id,
        hours=int(swaps.TIMEOUT.total_seconds() // 3600),
    )
    return await engine.send_claimed(
        app, occurrence, lambda: app.bot.send_message(schedule.chat_id, text, **engine.bulk(app))
    )
