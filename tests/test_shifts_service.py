"""Shift services against a real database: defaults, seasons, roster writes all or nothing, schedules."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.models import AuditEntry, Occurrence, Person, RosterShift, Schedule
from bot.services.errors import UserError
from bot.services.scheduling import schedules
from bot.services.shifts import postings as ss
from bot.services.shifts import roster as shifts
from bot.services.shifts import swaps

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def people_() -> tuple[Person, Person]:
    """Two people the bot has seen."""
    return (
        await Person.create(id=1, username="bob", first_name="Bob"),
        await Person.create(id=2, username="carol", first_name="Carol"),
    )


async def test_defaults_and_seasonal_hours(database: str) -> None:
    day, night = await shifts.all_types()
    assert (day.name, night.name) == ("day", "night")
    assert shifts.hours(day, date(2026, 12, 1)) == (540, 1080)
    assert shifts.hours(day, date(2026, 6, 1)) == (570, 1110)
    assert shifts.hours(night, date(2026, 6, 1)) == (1140, 1440)
    assert shifts.seasons_of(night) == (shifts.WINTER,)
    assert await shifts.find_type("白班") == day and await shifts.find_type("晚班") == night
    assert len(await shifts.all_types()) == 2  # created once


async def test_assign_is_all_or_nothing(database: str) -> None:
    bob, _ = await people_()
    day = await shifts.find_type("day")
    early = await shifts.change_type(
        shifts.parse_type_change(["early", "07:00-10:00"]), actor_id=9, chat_id=-1
    )
    await shifts.assign(bob, [date(2026, 12, 3)], day, actor_id=9, chat_id=-1)
    with pytest.raises(UserError):
        await shifts.assign(bob, [date(2026, 12, d) for d in range(1, 6)], early, actor_id=9, chat_id=-1)
    assert await RosterShift.filter(person_id=bob.id).count() == 1
    change = await shifts.unassign(bob, [date(2026, 12, 3), date(2026, 12, 4)], None, actor_id=9, chat_id=-1)
    assert change.changed == [date(2026, 12, 3)] and change.unchanged == [date(2026, 12, 4)]
    assert [e.action for e in await AuditEntry.all().order_by("id")] == [
        "shifttype.change",
        "roster.set",
        "roster.off",
    ]


async def test_now_and_next(database: str) -> None:
    bob, carol = await people_()
    await shifts.assign(bob, [date(2026, 11, 23)], await shifts.find_type("day"), actor_id=9, chat_id=-1)
    await shifts.assign(carol, [date(2026, 11, 24)], await shifts.find_type("night"), actor_id=9, chat_id=-1)
    running, upcoming = await shifts.now_and_next(NOW, ZONE)
    assert [(s.shift_type.name, [p.id for p in s.people]) for s in running] == [("day", [bob.id])]
    assert upcoming is not None and upcoming.day == date(2026, 11, 24) and upcoming.people == [carol]


async def test_schedules_are_made_once_per_type_season_and_event(database: str) -> None:
    created = await ss.ensure(chat_id=-1, owner_id=9, zone=ZONE, now=NOW)
    assert sorted(str(s.ref).split(":", 2)[2] for s in created) == [
        "summer:end",
        "summer:start",
        "winter:end",
        "winter:end",
        "winter:start",
        "winter:start",
    ]
    assert await ss.ensure(chat_id=-1, owner_id=9, zone=ZONE, now=NOW) == []
    night_start = next(s for s in created if s.ref and s.ref.endswith("winter:start") and "19:00" in s.text)
    assert night_start.next_kind == schedules.LEAD
    assert night_start.next_due_at == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 18:30 local
    night = await shifts.find_type("night")
    assert len(await ss.retire(night, actor_id=9, now=NOW)) == 2
    assert await Schedule.filter(kind=ss.SHIFT, state=schedules.ACTIVE).count() == 4


async def test_a_midnight_end_belongs_to_the_day_before(database: str) -> None:
    created = await ss.ensure(chat_id=-1, owner_id=9, zone=ZONE, now=NOW)
    night_end = next(s for s in created if s.ref and s.ref.endswith("end") and "24:00" in s.text)
    midnight = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 00:00 on 11-24 local
    occurrence = Occurrence(schedule=night_end, due_at=midnight, kind=schedules.ALARM, chat_id=-1)
    assert ss.shift_day(night_end, occurrence) == date(2026, 11, 23)


async def test_swap_plan_checks_the_roster(database: str) -> None:
    bob, carol = await people_()
    day, night = await shifts.find_type("day"), await shifts.find_type("night")
    on = date(2026, 11, 25)
    await shifts.assign(bob, [on], day, actor_id=9, chat_id=-1)
    await shifts.assign(carol, [on], night, actor_id=9, chat_id=-1)
    found = await swaps.plan(bob, carol, on, on, date(2026, 11, 23))  # day for night, same date
    assert (found.mine, found.theirs) == ([day], [night])
    with pytest.raises(UserError):
        await swaps.plan(bob, bob, on, None, date(2026, 11, 23))
    with pytest.raises(UserError):
        await swaps.plan(bob, carol, on + timedelta(days=1), None, date(2026, 11, 23))
    request = await swaps.ask(found, chat_id=-1, now=NOW)
    assert (
        await swaps.approve(request, actor_id=9, chat_id=-1, today=date(2026, 11, 23)) is None
    )  # not accepted
    assert await swaps.move(request, swaps.ACCEPTED, actor_id=carol.id, chat_id=-1) is not None
    assert await swaps.approve(request, actor_id=9, chat_id=-1, today=date(2026, 11, 23)) is not None
    assert [e.shift_type_id for e in await RosterShift.filter(person_id=bob.id)] == [night.id]  # type: ignore[attr-defined]


async def test_shift_types_read_by_many_chats_at_once_are_each_listed_once(database: str) -> None:
    lists = await asyncio.gather(*(shifts.all_types() for _ in range(20)))
    assert [len(found) for found in lists] == [2] * 20
    assert [t.name for t in await shifts.all_types()] == ["day", "night"]
