"""The shop's own days off and extra working days (/dayoff), over China's official calendar.

Working-day schedules (`/shelf 工作日9点 …`, a digest on working days) fire by this calendar, so each change
is audited and those schedules are re-planned at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import Schedule, ShopDay
from bot.services import audit, invalidation
from bot.services.errors import UserError
from bot.services.scheduling import schedules, shop_calendar
from bot.services.scheduling.shop_calendar import OFF, WORK
from bot.services.when import official_working_day

MAX_NOTE = 100
AHEAD = timedelta(days=400)
"""How far ahead a day may be marked: this year's and next year's holidays, no further."""
OFFICIAL_SHOWN = timedelta(days=60)
"""How far ahead /dayoff lists China's own holidays and make-up working days."""
ACTION = "shopday.change"


@dataclass(frozen=True, slots=True)
class Official:
    """A day China's calendar changes: a public holiday on a weekday, or a weekend made a working day."""

    day: date
    kind: str


def _check(day: date, kind: str, today: date) -> None:
    """A day ahead, not too far, that the mark actually changes."""
    if day < today:
        raise UserError(N_("{value} is past: mark days from today on."), value=day.isoformat())
    if day > today + AHEAD:
        raise UserError(N_("{value} is too far ahead: mark days within a year."), value=day.isoformat())
    if kind == OFF and not official_working_day(day):
        raise UserError(N_("{value} is not a working day anyway."), value=day.isoformat())
    if kind == WORK and official_working_day(day):
        raise UserError(N_("{value} is a working day anyway."), value=day.isoformat())


async def mark(
    day: date, kind: str, note: str, *, actor_id: int, chat_id: int, now: datetime, today: date
) -> list[Schedule]:
    """Make a day a shop day off (OFF) or an extra working day (WORK); returns the re-planned schedules."""
    _check(day, kind, today)
    note = " ".join(note.split())[:MAX_NOTE]
    async with in_transaction() as conn:
        found = await ShopDay.get_or_none(day=day, using_db=conn)
        before = _state(found)
        if found is None:
            found = ShopDay(day=day, kind=kind, note=note, created_by=actor_id)
        found.kind, found.note = kind, note
        await found.save(using_db=conn)
        await _audit(conn, day, before, _state(found), actor_id=actor_id, chat_id=chat_id)
    return await _replan(now)


async def unmark(day: date, *, actor_id: int, chat_id: int, now: datetime) -> list[Schedule]:
    """Give a day back to China's calendar; returns the re-planned schedules."""
    async with in_transaction() as conn:
        found = await ShopDay.get_or_none(day=day, using_db=conn)
        if found is None:
            raise UserError(N_("{value} is not marked: nothing to remove."), value=day.isoformat())
        await found.delete(using_db=conn)
        await _audit(conn, day, _state(found), None, actor_id=actor_id, chat_id=chat_id)
    return await _replan(now)


def _state(found: ShopDay | None) -> dict[str, object] | None:
    """A shop day as the audit log keeps it."""
    return None if found is None else {"kind": found.kind, "note": found.note}


async def _audit(
    conn: BaseDBAsyncClient,
    day: date,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    *,
    actor_id: int,
    chat_id: int,
) -> None:
    """Record a change of a shop day with the change itself."""
    target = f"day:{day.isoformat()}"
    await audit.record(
        actor_id=actor_id,
        chat_id=chat_id,
        action=ACTION,
        target=target,
        before=before,
        after=after,
        using_db=conn,
    )


async def _replan(now: datetime) -> list[Schedule]:
    """The calendar changed: read it afresh and move the working-day schedules."""
    shop_calendar.forget_cache()
    await invalidation.changed("calendar")
    return await schedules.replan_working_days(now)


async def marked(today: date) -> list[ShopDay]:
    """The shop's own days from today on, in order."""
    return await ShopDay.filter(day__gte=today).order_by("day")


def official(today: date) -> list[Official]:
    """China's holidays on weekdays and its make-up working days in the coming weeks, in order."""
    found = []
    for offset in range(OFFICIAL_SHOWN.days):
        day = today + timedelta(days=offset)
        works = official_working_day(day)
        if day.weekday() >= 5 and works:
            found.append(Official(day, WORK))
        elif day.weekday() < 5 and not works:
            found.append(Official(day, OFF))
    return found
