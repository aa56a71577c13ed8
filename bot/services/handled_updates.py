"""Webhook deliveries taken once across instances: the first to insert an update id handles it."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from bot.models import HandledUpdate

KEPT_FOR = timedelta(days=1)
"""Telegram gives up redelivering an update long before this; older ids are pruned."""


async def first_time(update_id: int, now: datetime) -> bool:
    """Take an update id; False when another delivery (here or on another instance) already took it."""
    try:
        await HandledUpdate.create(update_id=update_id, handled_at=now)
    except IntegrityError:
        return False
    return True


async def prune(now: datetime) -> int:
    """Forget ids taken longer ago than KEPT_FOR; returns how many."""
    return await HandledUpdate.filter(handled_at__lt=now - KEPT_FOR).delete()
