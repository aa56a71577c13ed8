"""Shift types, the roster and /today end to end, with the shop's clock under control."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.models import AuditEntry, RosterShift
from tests.harness import ALICE, BOB, DAVE, Harness
from tests.shop_clock import agents


async def test_shift_types_have_the_domain_defaults(bot: Harness, clock: Any) -> None:
    reply = await bot.say(ALICE, "/shifttype")
    assert (
        "day shift (day): 09:00–18:00; summer 09:30–18:30 from 05-01 to 09-30; reminder 30 min before"
        in reply
    )
    assert "night shift (night): 19:00–24:00; reminder 30 min before" in reply


async def test_supervisor_changes_hours_and_the_change_is_audited(bot: Harness, clock: Any) -> None:
    reply = await bot.say(
        ALICE, "/shifttype day 08:30-17:30 summer=09:00-18:00 from=04-15 to=10-15 remind=20"
    )
    assert "08:30–17:30; summer 09:00–18:00 from 04-15 to 10-15; reminder 20 min before" in reply
    entry = await AuditEntry.filter(action="shifttype.change").first()
    assert entry is not None and entry.actor_id == ALICE
    assert entry.before == {
        "hours": "09:00–18:00",
        "summer": "09:30–18:30",
        "from": "05-01",
        "to": "09-30",
        "remind": 30,
    }
    reply = await bot.say(ALICE, "/shifttype 晚班 19:00-23:30 夏季=无")
    assert "19:00–23:30" in reply and "summer" not in reply


async def test_a_new_shift_type_needs_hours(bot: Harness, clock: Any) -> None:
    assert "needs its hours" in await bot.say(ALICE, "/shifttype early")
    assert "early (early): 07:00–15:00" in await bot.say(ALICE, "/shifttype early 07:00-15:00")


async def test_agents_see_shift_types_but_cannot_change_them(bot: Harness, clock: Any) -> None:
    await agents(bot)
    assert "day shift" in await bot.say(BOB, "/shifttype")
    assert "needs the role" in await bot.say(BOB, "/shifttype day 10:00-19:00")
    assert "needs the role" in await bot.say(BOB, "/roster set @carol 11-24 day")
    assert "09:00–18:00" in await bot.say(ALICE, "/shifttype")


async def test_roster_set_off_show_and_today(bot: Harness, clock: Any) -> None:
    await agents(bot)
    reply = await bot.say(ALICE, "/roster set @bob 2026-11-23..2026-11-29 day")
    assert "✅ @bob: day shift on 7 days: Mon 23 Nov – Sun 29 Nov." in reply
    assert "Already so: Mon 23 Nov." in await bot.say(ALICE, "/roster set @bob 11-23 day")
    assert "@bob is off on Sat 28 Nov – Sun 29 Nov" in await bot.say(ALICE, "/roster off @bob 11-28,11-29")
    await bot.say(ALICE, "/roster set @carol 11-23..11-25 night")
    table = await bot.say(BOB, "/roster")
    assert "📅 Roster Mon 23 Nov – Sun 29 Nov" in table and "D day shift 09:00–18:00" in table
    assert "        Mo Tu We Th Fr Sa Su" in table and "        23 24 25 26 27 28 29" in table
    assert "@bob    D  D  D  D  D  -  -" in table and "@carol  N  N  N  -  -  -  -" in table
    inside = table.split("<pre>")[1].split("</pre>")[0]
    assert max(len(line) for line in inside.split("\n")) <= 32  # a phone shows ~32 monospace columns
    mine = await bot.say(BOB, "/roster week @carol")
    assert "@carol  N  N  N" in mine and "@bob" not in mine.split("</pre>")[0].split("<pre>")[1]
    today = await bot.say(BOB, "/today")
    assert "🕘 Now: day shift 09:00–18:00 (Mon 23 Nov): @bob" in today
    assert "⏭ Next: night shift 19:00–24:00 (Mon 23 Nov): @carol" in today


async def test_month_view_is_split_into_weeks(bot: Harness, clock: Any) -> None:
    await agents(bot)
    await bot.say(ALICE, "/roster set @bob 12-01..12-31 day")
    table = await bot.say(ALICE, "/roster month 2026-12")
    assert "📅 Roster December 2026" in table
    assert table.count("<pre>") == 5 and "        29 30 31" in table


async def test_roster_between_shifts_and_with_nobody(bot: Harness, clock: Any) -> None:
    assert "Nobody is on the roster then" in await bot.say(ALICE, "/roster")
    clock.move_to(datetime(2026, 11, 23, 10, 30, tzinfo=UTC))  # 18:30 local: between day and night
    assert "🕘 Nobody is on shift now." in await bot.say(ALICE, "/today")


async def test_summer_hours_apply_from_their_date(bot: Harness, clock: Any) -> None:
    await agents(bot)
    clock.move_to(datetime(2026, 5, 4, 2, 0, tzinfo=UTC))  # 10:00 local on 05-04
    await bot.say(ALICE, "/roster set @bob 05-04 day")
    assert "Now: day shift 09:30–18:30 (Mon 4 May): @bob" in await bot.say(ALICE, "/today")
    assert "D day shift 09:30–18:30" in await bot.say(ALICE, "/roster")


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/roster set @bob 11-30..11-24 day", "runs backwards"),
        ("/roster set @nobody 11-24 day", "I haven't seen @nobody yet"),
        ("/roster set @bob 11-24 evening", "Unknown shift “evening”. Shifts: day, night"),
        ("/roster set @bob 2026-02-30 day", "is not a date"),
        ("/roster set @bob 11-24", "Say who, which dates and which shift"),
        ("/roster off @bob", "Say who and which dates"),
        ("/roster set @bob 2026-01-01..2027-12-31 day", "more than 366 days"),
        ("/shifttype day 18:00-09:00", "must end after they start"),
        ("/shifttype day 9-", "is not shift hours"),
        ("/shifttype day from=13-01", "is not a day of the year"),
        ("/shifttype day remind=999", "should be minutes from 0 to 180"),
        ("/shifttype day colour=red", "Unknown setting"),
    ],
)
async def test_bad_input_is_explained_and_nothing_changes(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    await agents(bot)
    reply = await bot.say(ALICE, command)
    assert problem in reply and "Usage:" in reply
    assert await RosterShift.all().count() == 0
    assert "09:00–18:00" in await bot.say(ALICE, "/shifttype")


async def test_overlapping_shifts_are_refused_whole(bot: Harness, clock: Any) -> None:
    await agents(bot)
    await bot.say(ALICE, "/shifttype early 07:00-10:00")
    await bot.say(ALICE, "/roster set @bob 11-25 day")
    reply = await bot.say(ALICE, "/roster set @bob 11-23..11-27 early")
    assert "@bob already works the day shift (09:00–18:00) on 2026-11-25, which overlaps the early" in reply
    assert await RosterShift.filter(person_id=BOB).count() == 1
    await bot.say(ALICE, "/shifttype early 07:00-09:00")
    assert "✅" in await bot.say(ALICE, "/roster set @bob 11-25 early")  # ends as the day shift starts
    assert "overlaps" in await bot.say(ALICE, "/shifttype early 07:00-09:30")
    assert "07:00–09:00" in await bot.say(ALICE, "/shifttype")


async def test_chinese_roster(bot: Harness, clock: Any) -> None:
    await agents(bot)
    await bot.introduce(DAVE)
    await bot.say(ALICE, "/lang zh")
    reply = await bot.say(ALICE, "/roster 排班 @bob 11月23日至11月25日 白班")
    assert "✅ @bob：白班 3 天：11月23日 周一 – 11月25日 周三。" in reply
    await bot.say(ALICE, "/roster 排班 @carol 11-23 晚班")
    table = await bot.say(ALICE, "/roster")
    assert "        一 二 三" in table and "@bob    白 白 白 -" in table
    assert "🕘 现在：白班 09:00–18:00（11月23日 周一）：@bob" in await bot.say(ALICE, "/today")
    assert "倒着" in await bot.say(ALICE, "/roster 排班 @bob 11-30到11-24 白班")
    assert "夏季 09:30–18:30" in await bot.say(ALICE, "/shifttype")
