"""The one table of schedule kinds: what posts each kind, how a missed posting is named, what catches up.

The app builder installs it in the engine; a schedule whose kind is not here is never posted (its occurrence
is marked failed and logged), so a broadcast can never go out as an alarm with Done / Snooze buttons.
"""

from __future__ import annotations

from typing import Final

from bot.enums import ScheduleKind
from jobs import (
    alarms,
    broadcasts,
    digest_posts,
    ledger_posts,
    retention,
    rotation_posts,
    shift_posts,
    swap_expiry,
)
from jobs.engine import Kind

KINDS: Final[dict[str, Kind]] = {
    ScheduleKind.SHELF: Kind(alarms.deliver),
    ScheduleKind.SNOOZE: Kind(alarms.deliver),
    ScheduleKind.REFUND_WATCH: Kind(alarms.deliver),
    ScheduleKind.PRESALE: Kind(alarms.deliver),
    ScheduleKind.DIGEST: Kind(digest_posts.post, describe=digest_posts.describe_missed),
    ScheduleKind.BROADCAST: Kind(broadcasts.post),
    ScheduleKind.SHIFT: Kind(shift_posts.post, describe=shift_posts.describe_missed),
    ScheduleKind.SWAP: Kind(swap_expiry.expire, catch_up=True),
    ScheduleKind.ROTATION: Kind(rotation_posts.post_handoff),
    ScheduleKind.RETENTION: Kind(retention.run, catch_up=True),
    ScheduleKind.LEDGER: Kind(ledger_posts.post, describe=ledger_posts.describe_missed),
}
