"""The one grammar end to end: every command that takes a day, a period or a time reads the same shared words;
a reading the bot is not sure of is asked about with buttons and saved only when one is pressed (English and
Chinese); the shop's days off move working-day alarms; a rule stored by the old alarm parser still fires.

The clock starts on Monday 2026-11-23, 10:00 in Shanghai. Word lists are typed in private chats, where
Telegram's per-group flood limit does not apply.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.fakeapi.driver import handled
from bot.models import Schedule
from bot.services.when import format_day, format_days
from jobs import engine
from tests.harness import ALICE, BOB, CAROL, FINANCE, TEAM, Harness
from tests.shop_clock import advance, buttons, last_answer, posted, register, texts
from tests.test_rotations_e2e import team_up

TODAY = date(2026, 11, 23)


def day(month: int, number: int) -> date:
    """A day of 2026."""
    return date(2026, month, number)


DAY_WORDS: list[tuple[str, date]] = [
    ("明天", day(11, 24)),
    ("tomorrow", day(11, 24)),
    ("后天", day(11, 25)),
    ("大后天", day(11, 26)),
    ("3天后", day(11, 26)),
    ("三天后", day(11, 26)),
    ("in 3 days", day(11, 26)),
    ("周五", day(11, 27)),
    ("星期五", day(11, 27)),
    ("礼拜五", day(11, 27)),
    ("週五", day(11, 27)),
    ("friday", day(11, 27)),
    ("下周一", day(11, 30)),
    ("下週一", day(11, 30)),
    ("next monday", day(11, 30)),
    ("12月5日", day(12, 5)),
    ("十二月五日", day(12, 5)),
    ("１２月５日", day(12, 5)),
    ("12-05", day(12, 5)),
    ("12/05", day(12, 5)),
    ("2026-12-05", day(12, 5)),
    ("Dec 5", day(12, 5)),
    ("5 Dec", day(12, 5)),
]
"""One day, in the ways the team types one: every command that takes a day reads each as the day given."""

PERIOD_WORDS: list[tuple[str, date, date]] = [
    ("今天", day(11, 23), day(11, 23)),
    ("today", day(11, 23), day(11, 23)),
    ("昨天", day(11, 22), day(11, 22)),
    ("yesterday", day(11, 22), day(11, 22)),
    ("本周", day(11, 23), day(11, 29)),
    ("this week", day(11, 23), day(11, 29)),
    ("上周", day(11, 16), day(11, 22)),
    ("last week", day(11, 16), day(11, 22)),
    ("下周", day(11, 30), day(12, 6)),
    ("本月", day(11, 1), day(11, 30)),
    ("this month", day(11, 1), day(11, 30)),
    ("上月", day(10, 1), day(10, 31)),
    ("上个月", day(10, 1), day(10, 31)),
    ("last month", day(10, 1), day(10, 31)),
    ("11月", day(11, 1), day(11, 30)),
    ("十一月", day(11, 1), day(11, 30)),
    ("2026-11", day(11, 1), day(11, 30)),
    ("2026年11月", day(11, 1), day(11, 30)),
    ("近7天", day(11, 17), day(11, 23)),
    ("last 7 days", day(11, 17), day(11, 23)),
    ("11-01..11-15", day(11, 1), day(11, 15)),
    ("11月1日到11月15日", day(11, 1), day(11, 15)),
]
"""Stretches of days: every command that takes a period reads each as the days given."""

TIME_WORDS = [
    "10:00",
    "10am",
    "10:00am",
    "10点",
    "十点",
    "十點",
    "10時",
    "上午10点",
    "早上十点",
    "１０：００",
]
"""10 in the morning, in the ways the team types it: every command that takes a time reads each as 10:00."""


def en(found: date) -> str:
    """A day as an English chat shows it."""
    return format_day(found, "en")


async def said(bot: Harness, text: str, user: int = ALICE) -> str:
    """Type in one's private chat with the bot; its answer."""
    return await bot.say(user, text, chat=user)


async def roster_for_swaps(bot: Harness) -> None:
    """Bob works every day from tomorrow to 12-06; Carol is free to take his shifts."""
    await bot.introduce(BOB, CAROL)
    await bot.say(ALICE, "/role @bob aftersale")
    await bot.say(ALICE, "/role @carol aftersale")
    assert "13 days" in await bot.say(ALICE, "/roster set @bob 11-24..12-06 day")


async def rotation_from_today(bot: Harness) -> None:
    """The review groups, handing off monthly at 09:00 from this morning."""
    await team_up(bot)
    await said(bot, "/rotation members @bob @carol @erin @frank")
    assert "Rotation period set" in await said(bot, "/rotation period 1m start=2026-11-23 at=09:00")


Check = Callable[[Harness, str, date], Awaitable[None]]


async def report_day(bot: Harness, word: str, found: date) -> None:
    """/report <day>."""
    assert (await said(bot, f"/report {word}")).startswith(f"📊 Report {en(found)}\n")


async def export_day(bot: Harness, word: str, found: date) -> None:
    """/export <kind> <day>."""
    assert await said(bot, f"/export refund {word}") == f"Nothing to export in {en(found)}."


async def chart_day(bot: Harness, word: str, found: date) -> None:
    """/chart <kind> <day>."""
    assert await said(bot, f"/chart refunds {word}") == f"Nothing to chart in {en(found)}."


async def review_stats_day(bot: Harness, word: str, found: date) -> None:
    """/review stats <day>."""
    wanted = f"No review cases were closed or escalated in {en(found)}."
    assert await said(bot, f"/review stats {word}") == wanted


async def roster_day(bot: Harness, word: str, found: date) -> None:
    """/roster <day>: the week from that day."""
    shown = await said(bot, f"/roster {word}")
    assert shown.startswith(f"📅 Roster {format_days(found, found + timedelta(days=6), 'en')}")


async def swap_day(bot: Harness, word: str, found: date) -> None:
    """/swap @carol <day> (a day asked about before answers that it was asked about)."""
    reply = await said(bot, f"/swap @carol {word}", user=BOB)
    assert f"@carol takes @bob's day shift on {en(found)}." in reply or (
        f"You already asked for a swap on {found.isoformat()}" in reply
    )


async def rotation_day(bot: Harness, word: str, found: date) -> None:
    """/rotation show <day>."""
    assert (await said(bot, f"/rotation show {word}")).startswith(f"🔄 Review groups on {en(found)} 09:00:")


async def shelf_day(bot: Harness, word: str, found: date) -> None:
    """/shelf <day> 10:00 <text>."""
    assert f"set: once on {en(found)} 10:00." in await said(bot, f"/shelf {word} 10:00 上架")


async def presale_day(bot: Harness, word: str, found: date) -> None:
    """/presale <order> by=<day>: each word watches another order."""
    order = f"1234567890{zlib.crc32(word.encode()) % 10**8:08d}"
    assert f"must ship by {en(found)}." in await said(bot, f"/presale {order} by={word}")


DAY_COMMANDS: dict[str, tuple[Check, Callable[[Harness], Awaitable[None]] | None]] = {
    "report": (report_day, None),
    "export": (export_day, None),
    "chart": (chart_day, None),
    "review stats": (review_stats_day, None),
    "roster": (roster_day, None),
    "swap": (swap_day, roster_for_swaps),
    "rotation show": (rotation_day, rotation_from_today),
    "shelf": (shelf_day, None),
    "presale": (presale_day, None),
}


@pytest.mark.parametrize("command", list(DAY_COMMANDS))
async def test_every_command_that_takes_a_day_reads_the_shared_words(
    bot: Harness, clock: Any, command: str
) -> None:
    check, prepare = DAY_COMMANDS[command]
    if prepare is not None:
        await prepare(bot)
    for word, found in DAY_WORDS:
        await check(bot, word, found)


PERIOD_COMMANDS: dict[str, Callable[[str], str]] = {
    "/report {}": lambda shown: f"📊 Report {shown}\n",
    "/export refund {}": lambda shown: f"Nothing to export in {shown}.",
    "/chart complaints {}": lambda shown: f"Nothing to chart in {shown}.",
    "/review stats {}": lambda shown: f"No review cases were closed or escalated in {shown}.",
    "/roster {}": lambda shown: f"📅 Roster {shown}",
}


@pytest.mark.parametrize("command", list(PERIOD_COMMANDS))
async def test_every_command_that_takes_a_period_reads_the_shared_words(
    bot: Harness, clock: Any, command: str
) -> None:
    for word, first, last in PERIOD_WORDS:
        reply = await said(bot, command.format(word))
        assert PERIOD_COMMANDS[command](format_days(first, last, "en")) in reply, (word, reply)


async def test_every_command_that_takes_a_time_reads_the_shared_words(bot: Harness, clock: Any) -> None:
    await register(bot, "finance", FINANCE)
    await bot.say(ALICE, "/setup team")
    await rotation_from_today(bot)
    for word in TIME_WORDS:
        assert "set: once on Tue 24 Nov 10:00." in await said(bot, f"/shelf 明天{word} 上架"), word
        assert "every day at 10:00 → Finance" in await said(bot, f"/digest finance 每天{word}"), word
        shown = await said(bot, f"/broadcast at=明天{word} 盘点")
        assert "When: Tue 24 Nov 10:00" in shown, word
        handoff = await said(bot, f"/rotation period at={word}")
        assert "Next handoff: Wed 23 Dec 10:00" in handoff, word


# ---------------------------------------------------------------------------------------- confirmations


async def test_the_issues_misreadings_are_read_right_or_asked_about(bot: Harness, clock: Any) -> None:
    window = await bot.say(ALICE, "/shelf 9点到18点每30分钟 换链接")
    assert window == (
        "⏰ Alarm #1 set: every 30 minutes from 09:00 to 18:00. Next: Mon 23 Nov 10:30 (today)."
    )
    quarter = await bot.say(ALICE, "/shelf 14点一刻 改价")
    assert quarter == "⏰ Alarm #2 set: once on Mon 23 Nov 14:15. Next: Mon 23 Nov 14:15 (today)."
    [question] = await bot.send(ALICE, "/shelf 3点 改价")
    assert question["text"].splitlines() == [
        "🤔 Check my reading before I save it:",
        "• “3点” could be morning or evening: I read it as 15:00.",
        "I read: once on Mon 23 Nov 15:00 · next: Mon 23 Nov 15:00 (today)",
        "Or: once on Tue 24 Nov 03:00 · next: Tue 24 Nov 03:00 (tomorrow)",
        "Alarm text: 改价",
        "Nothing is saved until you press ✅.",
    ]
    assert buttons(question) == [
        "✅ once on Mon 23 Nov 15:00",
        "🔄 once on Tue 24 Nov 03:00",
        "✏️ No, let me retype",
    ]
    assert "#3" not in await bot.say(ALICE, "/alarms")
    saved, stamped = await bot.press(ALICE, TEAM, question["message_id"], 2)
    assert saved["text"] == "⏰ Alarm #3 set: once on Tue 24 Nov 03:00. Next: Tue 24 Nov 03:00 (tomorrow)."
    assert stamped["text"].endswith("\n✅ @alice chose: once on Tue 24 Nov 03:00") and buttons(stamped) == []
    data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await handled(bot.api, bot.app, bot.api.press(TEAM, ALICE, question["message_id"], data))  # once only
    assert "This button is out of date." in str(last_answer(bot).get("text"))
    assert "#3 · Tue 24 Nov 03:00 (tomorrow) · once on Tue 24 Nov 03:00 · 改价" in await bot.say(
        ALICE, "/alarms"
    )


async def test_time_words_left_in_the_text_are_asked_about_and_retyping_saves_nothing(
    bot: Harness, clock: Any
) -> None:
    [question] = await bot.send(ALICE, "/shelf 14:30 下架 明天再上架")
    assert "• “明天” after the time looks like a time too." in question["text"]
    assert buttons(question) == ["✅ once on Mon 23 Nov 14:30", "✏️ No, let me retype"]
    [stamped] = await bot.press(ALICE, TEAM, question["message_id"], 2)
    assert stamped["text"].endswith("✏️ Not saved: type it again the way you mean it.")
    assert "No alarms in this chat" in await bot.say(ALICE, "/alarms")


async def test_only_someone_who_may_set_alarms_can_confirm_one(bot: Harness, clock: Any) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/role @bob aftersale")
    [question] = await bot.send(ALICE, "/shelf 3点 改价")
    await bot.press(BOB, TEAM, question["message_id"], 1)
    assert "needs the role: supervisor, manager" in str(last_answer(bot).get("text"))
    assert "No alarms in this chat" in await bot.say(ALICE, "/alarms")
    saved, _ = await bot.press(ALICE, TEAM, question["message_id"], 1)
    assert saved["text"].startswith("⏰ Alarm #1 set: once on Mon 23 Nov 15:00.")


async def test_a_digest_at_an_hour_of_the_night_is_asked_about(bot: Harness, clock: Any) -> None:
    await register(bot, "finance", FINANCE)
    [question] = await bot.send(ALICE, "/digest finance 每天3点")
    assert buttons(question)[:2] == ["✅ every day at 03:00", "🔄 every day at 15:00"]
    saved, _ = await bot.press(ALICE, TEAM, question["message_id"], 2)
    assert "every day at 15:00 → Finance · next: Mon 23 Nov 15:00 (today)" in saved["text"]


async def test_a_handoff_at_an_hour_of_the_night_is_asked_about(bot: Harness, clock: Any) -> None:
    await rotation_from_today(bot)
    [question] = await bot.send(ALICE, "/rotation period at=3点", chat=ALICE)
    assert "• “3点” could be morning or evening: I read it as 03:00." in question["text"]
    assert buttons(question) == ["✅ handoffs at 03:00", "🔄 handoffs at 15:00", "✏️ No, let me retype"]
    saved, _ = await bot.press(ALICE, ALICE, question["message_id"], 2)
    assert "Next handoff: Mon 23 Nov 15:00 (every month)." in saved["text"]


async def test_a_date_in_a_presale_note_is_asked_about(bot: Harness, clock: Any) -> None:
    [question] = await bot.send(ALICE, "/presale 123456789012345678 12月20日 蓝色连衣裙")
    assert "• “12月20日” in the note looks like a date." in question["text"]
    assert buttons(question) == ["✅ ship by Tue 8 Dec", "🔄 ship by Sun 20 Dec", "✏️ No, let me retype"]
    saved, _ = await bot.press(ALICE, TEAM, question["message_id"], 2)
    assert saved["text"].startswith("📦 Watching order 123456789012345678: must ship by Sun 20 Dec.")
    assert "ship by Sun 20 Dec (27 days left) 蓝色连衣裙" in await bot.say(ALICE, "/presales")


async def test_confirmations_in_chinese(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/lang zh")
    [question] = await bot.send(ALICE, "/shelf 3点 改价")
    assert question["text"].splitlines() == [
        "🤔 保存前请确认我的理解：",
        "• “3点”可能是上午也可能是晚上：我理解为 15:00。",
        "我的理解：一次：11月23日 周一 15:00 · 下次：11月23日 周一 15:00（今天）",
        "或者：一次：11月24日 周二 03:00 · 下次：11月24日 周二 03:00（明天）",
        "提醒内容：改价",
        "按 ✅ 之前不会保存任何内容。",
    ]
    assert buttons(question)[2] == "✏️ 不对，我重新输入"
    saved, stamped = await bot.press(ALICE, TEAM, question["message_id"], 1)
    assert saved["text"].startswith("⏰ 提醒 #1 已设置：一次：11月23日 周一 15:00。")
    assert stamped["text"].endswith("✅ @alice 选择了：一次：11月23日 周一 15:00")


# ---------------------------------------------------------------------------------------- shop days off


async def test_a_shop_day_off_moves_the_working_day_alarms(bot: Harness, clock: Any) -> None:
    reply = await bot.say(ALICE, "/shelf 工作日9点 巡店")
    assert reply == "⏰ Alarm #1 set: every working day at 09:00. Next: Tue 24 Nov 09:00 (tomorrow)."
    await bot.say(ALICE, "/shelf 每天9点 盘点库存")
    marked = await bot.say(ALICE, "/dayoff add 11-24 盘点")
    assert marked == "✅ Tue 24 Nov: shop day off. 1 working-day schedule was re-planned."
    assert "#1 · Wed 25 Nov 09:00 (in 2 days) · every working day at 09:00" in await bot.say(ALICE, "/alarms")
    listing = await bot.say(ALICE, "/dayoff")
    assert "• Tue 24 Nov: shop day off (盘点)" in listing
    assert "• Fri 1 Jan: public holiday (New Year's Day)" in listing
    await advance(bot, clock, timedelta(hours=23))  # Tuesday 09:00: the shop is closed
    await posted(bot, TEAM, "⏰ 盘点库存")
    assert texts(bot, TEAM, "⏰ 巡店") == []
    await advance(bot, clock, timedelta(days=1))  # Wednesday 09:00
    await posted(bot, TEAM, "⏰ 巡店")
    await moved_past(1, datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    extra = await bot.say(ALICE, "/dayoff work 11-28")
    assert "✅ Sat 28 Nov: extra working day. 0 working-day schedules were re-planned." in extra
    assert "#1 · Thu 26 Nov 09:00 (tomorrow)" in await bot.say(ALICE, "/alarms")
    assert "follows China's calendar again" in await bot.say(ALICE, "/dayoff remove 11-28")


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/dayoff add 11-28", "is not a working day anyway"),  # a Saturday
        ("/dayoff add 11-20", "is past"),
        ("/dayoff work 11-25", "is a working day anyway"),
        ("/dayoff remove 11-25", "is not marked"),
        ("/dayoff add", "Which day?"),
        ("/dayoff holiday 11-25", "Unknown action “holiday”"),
        ("/dayoff add soon", "is not a date"),
    ],
)
async def test_bad_day_off_commands_are_explained(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    reply = await bot.say(ALICE, command)
    assert problem in reply and "Usage: /dayoff add 2026-12-24 stocktaking" in reply


async def test_days_off_are_for_supervisors_to_change_and_the_team_to_see(bot: Harness, clock: Any) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/role @bob aftersale")
    assert "needs the role: supervisor, manager" in await bot.say(BOB, "/dayoff add 11-25")
    assert "none: the shop follows China's calendar" in await bot.say(BOB, "/dayoff")


async def test_days_off_in_chinese(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/lang zh")
    done = await bot.say(ALICE, "/dayoff 休息 12月24日 盘点")
    assert done == "✅ 12月24日 周四：店铺休息日。已重新安排 0 个按工作日的计划。"
    listing = await bot.say(ALICE, "/dayoff")
    assert "• 12月24日 周四：店铺休息日（盘点）" in listing and "• 1月1日 周五：法定节假日（元旦）" in listing


# ---------------------------------------------------------------------------------------- stored rules


async def test_rules_stored_by_the_old_alarm_parser_still_fire(bot: Harness, clock: Any) -> None:
    soon = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    old = [
        ({"kind": "weekly", "at": "10:30", "days": [0, 1, 2, 3, 4, 5, 6]}, "旧的每日提醒"),
        ({"kind": "interval", "minutes": 30, "start": "09:00", "end": "18:00"}, "旧的窗口提醒"),
        ({"kind": "once", "at": soon.isoformat()}, "旧的一次提醒"),
    ]
    for number, (rule, text) in enumerate(old, start=1):
        stored = await Schedule.create(  # numbered as migration 0017 numbers the alarms it finds
            number=number,
            kind="shelf",
            chat_id=TEAM,
            owner_id=ALICE,
            rule=rule,
            timezone="Asia/Shanghai",
            text=text,
            escalate_minutes=None,
            next_due_at=soon,
            next_kind="alarm",
        )
        engine.arm(bot.app, stored)
    listing = await bot.say(ALICE, "/alarms")
    assert "every day at 10:30 · 旧的每日提醒" in listing
    assert "every 30 minutes from 09:00 to 18:00 · 旧的窗口提醒" in listing
    await advance(bot, clock, timedelta(minutes=30))
    for _, text in old:
        await posted(bot, TEAM, f"⏰ {text}")
    await moved_past(1, soon)
    assert "#1 · Tue 24 Nov 10:30 (tomorrow)" in await bot.say(ALICE, "/alarms")


async def moved_past(schedule_id: int, due: datetime) -> None:
    """Wait (a few milliseconds) until the engine, having posted, moved a schedule past `due`."""
    for _ in range(100):
        stored = await Schedule.get(id=schedule_id)
        if stored.next_due_at is None or stored.next_due_at > due:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"schedule {schedule_id} is still due at {due}")
