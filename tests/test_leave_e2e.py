"""Leave (请假) end to end: asked, put to the supervisors with Approve / Decline, approved leave off the
roster and shown in /today and /roster, the week's-notice flag, and leave and swaps that collide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.models import AuditEntry, LeaveRequest, RosterShift
from tests.harness import ALICE, BOB, CAROL, SUPERVISORS, TEAM, Harness
from tests.shop_clock import advance, buttons, last_answer, posted, texts


async def roster_of(bot: Harness) -> None:
    """Bob works days and Carol nights this week; a supervisors' chat is registered."""
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol aftersale")
    await bot.say(ALICE, "/roster set @bob 11-24..11-28 day")
    await bot.say(ALICE, "/roster set @carol 11-24..11-28 night")


async def days_of(person: int) -> list[str]:
    """A person's rostered days as MM-DD."""
    return [
        f"{day:%m-%d}"
        for day in await RosterShift.filter(person_id=person).order_by("day").values_list("day", flat=True)
    ]


async def test_approved_leave_leaves_the_roster_and_shows_in_today_and_roster(
    bot: Harness, clock: Any
) -> None:
    await roster_of(bot)
    said = await bot.say(BOB, "/leave 11-26..11-27 family wedding")
    assert "🌴 Leave #1: @bob, " in said and "(2 days): family wedding" in said
    assert "Asked of the supervisors." in said and "week's notice" not in said
    question = await posted(bot, SUPERVISORS, "🌴 Leave #1: @bob")
    assert "Approve it?" in question.params["text"] and buttons(question) == ["Approve ✅", "Decline ❌"]
    await bot.press(CAROL, SUPERVISORS, question.result["message_id"], 1)
    assert "needs the role" in last_answer(bot)["text"]
    assert await days_of(BOB) == ["11-24", "11-25", "11-26", "11-27", "11-28"]
    done = await bot.press(ALICE, SUPERVISORS, question.result["message_id"], 1)
    assert "✅ Approved by @alice: those days are off the roster." in done[0]["text"]
    assert texts(bot, BOB, "✅ Your leave #1 was approved by @alice.")
    assert await days_of(BOB) == ["11-24", "11-25", "11-28"]
    actions = [e.action for e in await AuditEntry.filter(target="leave:1").order_by("id")]
    assert actions == ["leave.ask", "leave.approved"]
    await advance(bot, clock, timedelta(days=3))  # Thursday 26 Nov
    today = await bot.say(CAROL, "/today")
    assert "🌴 On leave today: @bob (until Fri 27 Nov)" in today
    table = await bot.say(CAROL, "/roster")
    bob_row = next(line for line in table.splitlines() if line.startswith("@bob"))
    assert bob_row.split()[1:4] == ["L", "L", "D"] and "L leave" in table


async def test_short_notice_is_flagged_and_may_still_be_approved(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    said = await bot.say(BOB, "/leave 11-25..11-28 flu")
    assert "(4 days): flu" in said
    assert "⚠️ Needs a week's notice: more than two days, asked less than 7 days ahead." in said
    question = await posted(bot, SUPERVISORS, "🌴 Leave #1: @bob")
    assert "⚠️ Needs a week's notice" in question.params["text"]
    await bot.press(ALICE, SUPERVISORS, question.result["message_id"], 1)
    assert await days_of(BOB) == ["11-24"]
    planned = await bot.say(CAROL, "/leave 12-07..12-09 trip home")
    assert "(3 days): trip home" in planned and "week's notice" not in planned
    declined = await posted(bot, SUPERVISORS, "🌴 Leave #2: @carol")
    pressed = await bot.press(ALICE, SUPERVISORS, declined.result["message_id"], 2)
    assert "❌ Declined by @alice." in pressed[0]["text"]
    assert texts(bot, CAROL, "❌ Your leave #2 was declined by @alice.")
    assert (await LeaveRequest.get(id=2)).state == "declined"
    await bot.say(ALICE, "/leave 12-10 course")
    own = await posted(bot, SUPERVISORS, "🌴 Leave #3: @alice")
    await bot.press(ALICE, SUPERVISORS, own.result["message_id"], 1)
    assert last_answer(bot)["text"] == "You are part of this, so someone else has to decide it."
    assert "already asked for leave" in await bot.say(BOB, "/leave 11-28 rest")
    assert "Say why" in await bot.say(BOB, "/leave 12-20")
    assert "is past" in await bot.say(BOB, "/leave 11-20 too late flu")


async def test_leave_and_swaps_that_collide_are_refused(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(BOB, "/swap @carol 11-26")
    refused = await bot.say(BOB, "/leave 11-26..11-27 dentist")
    assert "Swap #1 on 2026-11-26 is still open: settle it before taking leave then." in refused
    assert "Swap #1 on 2026-11-26 is still open" in await bot.say(CAROL, "/leave 11-26 dentist")
    await bot.say(CAROL, "/leave 11-27 dentist")
    refused = await bot.say(BOB, "/swap @carol 11-27")
    assert "@carol asked for leave on 2026-11-27 (leave #1): they cannot take a shift that day." in refused


async def test_leave_in_chinese(bot: Harness, clock: Any) -> None:
    await roster_of(bot)
    await bot.say(ALICE, "/lang zh")
    await bot.say(ALICE, "/lang zh", chat=SUPERVISORS)
    said = await bot.say(BOB, "/leave 12月7日至9日 探亲")
    assert "🌴 请假 #1：@bob，" in said and "（3 天）：探亲" in said and "已提交给主管。" in said
    question = await posted(bot, SUPERVISORS, "🌴 请假 #1")
    assert "批准吗？" in question.params["text"]
    assert "请写出事由" in await bot.say(BOB, "/leave 下周一", chat=TEAM)
