"""Webhook deliveries taken once across instances, and taken again when the instance handling one died.

The first instance to insert an update id handles it and marks it done afterwards. A redelivery of a done
update is dropped. One that arrives while another delivery is still being handled is asked to come back
later (Telegram redelivers after a non-2xx answer). One whose handling started longer than LEASE ago without
finishing was lost with its instance, and is taken over: at least once, never silently dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from tortoise.exceptions import IntegrityError

from bot.models import HandledUpdate

KEPT_FOR = timedelta(days=1)
"""Telegram gives up redelivering an update long before this; older ids are pruned."""
LEASE = timedelta(seconds=60)
"""How long a delivery being handled holds its update; an update handled for longer is a lost one."""


class Claim(Enum):
    """What a delivery of an update may do with it."""

    TAKEN = "taken"
    """Handle it, then call `finish`."""
    DONE = "done"
    """Drop it: it was handled."""
    BUSY = "busy"
    """Ask Telegram to deliver it again later: another delivery is handling it now."""


async def take(update_id: int, now: datetime) -> Claim:
    """Take an update id for this delivery, or say why not."""
    try:
        await HandledUpdate.create(update_id=update_id, handled_at=now)
    except IntegrityError:
        pass
    else:
        return Claim.TAKEN
    held = await HandledUpdate.get_or_none(update_id=update_id)
    if held is None or held.done_at is not None:
        return Claim.DONE  # done, or so long ago that it was pruned
    if held.handled_at >= now - LEASE:
        return Claim.BUSY
    taken_over = await HandledUpdate.filter(
        update_id=update_id, handled_at=held.handled_at, done_at__isnull=True
    ).update(handled_at=now)
    return Claim.TAKEN if taken_over else Claim.BUSY


async def finish(update_id: int, now: datetime) -> None:
    """Mark a taken update handled, so that later deliveries of it are dropped."""
    await HandledUpdate.filter(update_id=update_id).update(done_at=now)


async def prune(now: datetime) -> int:
    """Forget ids taken longer ago than KEPT_FOR; returns how many."""
    return await HandledUpdate.filter(handled_at__lt=now - KEPT_FOR).delete()
