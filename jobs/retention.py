"""The retention period: a daily job erases the customer data of records closed longer than PII_RETENTION_DAYS
ago. Off by default; the setting is read at start (the job is created or removed) and when the job runs."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.models import Occurrence, Schedule
from bot.render.context import App, settings_of, shop_zone
from bot.services.records import erasure
from bot.services.scheduling import changes, schedules
from jobs.engine import arm_all, now

log = logging.getLogger(__name__)


async def start(app: App) -> None:
    """Create the daily job when a retention period is set, remove it when it is not."""
    days = settings_of(app).pii_retention_days
    with changes.collecting() as changed:
        await erasure.ensure_daily(days is not None, owner_id=app.bot.id, zone=shop_zone(app), now=now())
    arm_all(app, changed)


async def run(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """The engine's poster for the retention job: erase what expired; nothing is posted to any chat."""
    days = settings_of(app).pii_retention_days
    if days is not None:
        count = await erasure.expire(days, now=now(), actor_id=app.bot.id)
        log.info("retention: customer data of %s record(s) closed over %s days ago erased", count, days)
    await schedules.mark_sent(occurrence, None, now())
    return None
