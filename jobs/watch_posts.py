"""What deadline watches post: the refund-insurance countdown with the record's buttons, pre-sale promises."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import Translator
from bot.models import Record, Schedule
from bot.render.cards import status_buttons
from bot.services.scheduling import schedules, watches
from bot.services.when import format_day, format_moment

MAX_LISTED = 10


async def watch_line(t: Translator, schedule: Schedule) -> str:
    """One watch in a list: what it watches and when it ends."""
    zone = schedules.zone_of(schedule)
    if schedule.kind == watches.REFUND_WATCH:
        record = await Record.get(id=watches.record_id_of(schedule))
        assert record.deadline_at is not None
        ends = format_moment(record.deadline_at, zone, t.locale)
        return t("• {id}: insurance countdown ends {when}", id=record.short_id, when=ends)
    assert schedule.ends_at is not None
    promised = format_day(schedule.ends_at.astimezone(zone).date(), t.locale)
    return t("• pre-sale order {order}: ship by {date}", order=schedule.ref, date=promised)


async def watch_list(t: Translator, chat_id: int) -> str | None:
    """The chat's open deadline watches for a shift's start, or None when there are none."""
    found = await watches.open_watches(chat_id)
    if not found:
        return None
    lines = [t("⏳ Open deadline watches: {count}.", count=len(found))]
    lines.extend([await watch_line(t, schedule) for schedule in found[:MAX_LISTED]])
    if len(found) > MAX_LISTED:
        lines.append(t("… and {count} more: /alarms lists them all.", count=len(found) - MAX_LISTED))
    return "\n".join(lines)


async def watch_post(t: Translator, schedule: Schedule, now: datetime) -> tuple[str, Any, Record | None]:
    """The text and buttons of one watch alert, and the record whose card it is (to remember it)."""
    zone = schedules.zone_of(schedule)
    if schedule.kind == watches.REFUND_WATCH:
        record = await Record.get(id=watches.record_id_of(schedule))
        assert record.deadline_at is not None
        days = max(0, (record.deadline_at - now).days)
        text = t.ngettext(
            "⏰ Insurance countdown: {id} has {n} day left (ends {when}). If the return parcel has not "
            "moved, reject the refund before the platform pays it automatically.",
            "⏰ Insurance countdown: {id} has {n} days left (ends {when}). If the return parcel has not "
            "moved, reject the refund before the platform pays it automatically.",
            days,
            id=record.short_id,
            when=format_moment(record.deadline_at, zone, t.locale),
        )
        return text, status_buttons(t, record), record
    assert schedule.ends_at is not None
    promised = schedule.ends_at.astimezone(zone).date()
    days = (promised - now.astimezone(zone).date()).days
    date = format_day(promised, t.locale)
    if days <= 0:
        text = t("📦 Pre-sale order {order} must ship TODAY ({date}).", order=schedule.ref, date=date)
    else:
        text = t.ngettext(
            "📦 Pre-sale order {order} must ship by {date}: {n} day left.",
            "📦 Pre-sale order {order} must ship by {date}: {n} days left.",
            days,
            order=schedule.ref,
            date=date,
        )
    return (f"{text}\n{schedule.text}" if schedule.text else text), None, None
