"""The rough edges a team met in its first week (issue 14), each end to end through the real bot on SQLite and
PostgreSQL, asserting what people see in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.enums import RecordKind
from tests.harness import ALICE, BOB, FINANCE, SUPERVISORS, TEAM, WAREHOUSE, Harness
from tests.shop_clock import advance, buttons, last_answer, posted, register
from tests.test_reports_e2e import documents, grant, seed, sheet

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 on Thursday 10 December in Shanghai


@pytest.fixture
def start() -> datetime:
    """Thursday 10 December, 10:00 in the shop, so today, this week and this month are known days."""
    return NOW


async def exported(bot: Harness, words: str) -> str:
    """The file name /export sent Alice privately for `words`, or what the bot said instead."""
    before = len(bot.api.calls_to("sendDocument"))
    reply = await bot.say(ALICE, f"/export {words}", chat=ALICE)
    sent = bot.api.calls_to("sendDocument")[before:]
    return str(sent[0].params["document"]["filename"]) if sent else reply


# ---------------------------------------------------------------------------------- /export plurals, synonyms


async def test_export_reads_plurals_and_synonyms_of_every_kind_and_period(bot: Harness, clock: Any) -> None:
    await seed(RecordKind.REFUND, "123456789012345001 12.5 破损 buyer=tb_lee")
    await seed(RecordKind.COURIER, "SF1234567890 overdue")
    await seed(RecordKind.COMPLAINT, "123456789012345003 damaged cup broken")
    await seed(RecordKind.PROBLEM, "123456789012345004 unclear-address")
    await seed(RecordKind.REVIEW, "123456789012345005 negative buyer=tb_wu")
    kinds = {
        "refund": ("refunds", "refund requests", "退款", "退款单", "退款记录"),
        "courier": ("couriers", "courier queries", "parcels", "查件", "物流查询", "快递"),
        "complaint": ("complaints", "complaint slips", "投诉单", "投诉记录"),
        "problem": ("problems", "problem orders", "issues", "问题订单", "问题单"),
        "review": ("reviews", "negative reviews", "差评", "中差评"),
        "all": ("everything", "all records", "全部", "所有记录"),
    }
    for kind, words in kinds.items():
        for word in words:
            assert await exported(bot, f"{word} today") == f"{kind}-2026-12-10.xlsx", word
    periods = {
        "refund-2026-12-10.xlsx": ("today", "today's", "今天", "今日", "今天的"),
        "Nothing to export in Wed 9 Dec.": ("yesterday", "yday", "昨天", "昨日"),
        "refund-2026-12-07_2026-12-13.xlsx": ("week", "this week's", "current week", "本周", "这一周"),
        "Nothing to export in Mon 30 Nov – Sun 6 Dec.": ("last week", "previous week", "上周", "上一周"),
        "refund-2026-12-01_2026-12-31.xlsx": ("month", "current month", "本月", "这个月", "本月份", "本月的"),
    }
    for expected, words in periods.items():
        for word in words:
            assert await exported(bot, f"refunds {word}") == expected, word
    assert await exported(bot, "refunds last month") == "Nothing to export in November 2026."
    assert await exported(bot, "refunds csv 今天") == "refund-2026-12-10.csv"
    await bot.say(ALICE, "/lang zh", chat=ALICE)
    assert await exported(bot, "退款单 上个月") == "2026年11月 没有可导出的记录。"
    assert (await exported(bot, "sales")).startswith(
        "未知类别“sales”。可导出：refund 退款, courier 查件, complaint 投诉, problem 问题, review 差评"
    )


# ------------------------------------------------------------------------------- values that run on unquoted


async def test_an_unquoted_value_that_runs_on_is_questioned_not_split(bot: Harness, clock: Any) -> None:
    order = "123456789012345001"
    reply = await bot.say(ALICE, f"/refund {order} 12 name=欧阳 娜娜 buyer=tb_ou", chat=ALICE)
    assert reply.startswith(
        "“娜娜” follows name= and is not a field. If it belongs to name, put the whole value in quotes: "
        'name="欧阳 娜娜"; otherwise move it before name=.'
    ), reply
    assert "/refund" in reply  # the usage follows
    await bot.say(ALICE, "/lang zh", chat=ALICE)
    reply = await bot.say(ALICE, f"/refund {order} 12 地址=浙江省 杭州市 buyer=tb_ou", chat=ALICE)
    assert reply.startswith(
        '“杭州市”跟在 地址= 后面，但它不是字段。如果它属于 地址，请把整个值放进引号：地址="浙江省 杭州市"；'
    ), reply
    saved = await bot.say(ALICE, f'/refund {order} 12 name="欧阳 娜娜" 破损 buyer=tb_ou', chat=ALICE)
    assert "R-1" in saved, saved
    card = await bot.say(ALICE, "/show R-1", chat=ALICE)
    assert "欧阳 娜娜" in card and "破损" in card, card
    reply = await bot.say(ALICE, "/edit R-1 name=欧阳 娜娜", chat=ALICE)
    assert reply.startswith("“娜娜”跟在 name= 后面"), reply


# ------------------------------------------------------------------------- courier queries of different kinds


async def test_a_courier_query_of_another_kind_on_the_same_number_is_no_duplicate(
    bot: Harness, clock: Any
) -> None:
    first = await bot.say(ALICE, "/courier SF1234567890 overdue")
    assert first.startswith("K-1 · Courier query · open") and "✅" in first, first
    second = await bot.say(ALICE, "/courier SF1234567890 weigh origin=1.0 last=0.9")
    assert second.startswith("K-2 · Courier query · open") and "✅" in second, second
    again = await bot.say(ALICE, "/courier SF1234567890 overdue")
    assert again.startswith(
        "K-1 asks the same (delivery overdue) about this tracking number and is still open (open). "
        "Nothing was saved."
    ), again
    await bot.say(ALICE, "/lang zh")
    again = await bot.say(ALICE, "/courier SF1234567890 超时")
    assert again.startswith("K-1 就这个运单号问的是同一件事（超时），仍未结束（处理中）。没有保存。"), again
    assert (await bot.say(ALICE, "/courier SF1234567890 拦截")).startswith("K-3 · ")


# ------------------------------------------------------------------------------------ repeat-claimant window


async def test_the_repeat_claimant_warning_says_how_many_days(bot: Harness, clock: Any) -> None:
    assert await bot.say(ALICE, "/config repeat_days 14", chat=ALICE) == "Done: repeat_days = 14."
    await bot.say(ALICE, "/refund 123456789012345001 3 buyer=tb_lee")
    await bot.say(ALICE, "/complaint 123456789012345002 damaged broken buyer=tb_lee")
    third = await bot.say(ALICE, "/refund 123456789012345003 4 buyer=tb_lee")
    assert third.endswith(
        "⚠️ Repeat claimant: 3 refunds/complaints in the last 14 days (R-1, C-1). Check before you pay."
    ), third
    await bot.say(ALICE, "/lang zh")
    fourth = await bot.say(ALICE, "/complaint 123456789012345004 破损 杯子碎了 buyer=tb_lee")
    assert fourth.endswith(
        "⚠️ 重复索赔：该买家近 14 天内已有 4 次退款/投诉（R-1, C-1, R-2）。付款前请核实。"
    ), fourth


# ------------------------------------------------------------------------------------ /alarms: next, numbers


async def test_alarms_show_the_alarm_time_as_next_and_are_numbered_on_their_own(
    bot: Harness, clock: Any
) -> None:
    await register(bot, "finance", FINANCE)
    await register(bot, "warehouse", WAREHOUSE)
    await register(bot, "supervisors", SUPERVISORS)  # three digests: schedules that are not alarms
    set_ = await bot.say(ALICE, "/shelf at 10:30 下架夏季连衣裙 lead=10m")
    assert "⏰ Alarm #1 set: once on Thu 10 Dec 10:30. Next: Thu 10 Dec 10:30 (today)." in set_, set_
    await bot.say(ALICE, "/shelf at 11:00 上架冬季外套")
    listing = (await bot.say(ALICE, "/alarms")).splitlines()
    assert listing[1].startswith("#1 · Thu 10 Dec 10:30 (today) · "), listing
    assert listing[2].startswith("#2 · Thu 10 Dec 11:00 (today) · "), listing
    await advance(bot, clock, timedelta(minutes=20))
    await posted(bot, TEAM, "⏳ In 10 min: 下架夏季连衣裙")
    assert (await bot.say(ALICE, "/alarms")).splitlines()[1].startswith("#1 · Thu 10 Dec 10:30 (today) · ")
    assert await bot.say(ALICE, "/alarm pause 2") == "Alarm #2: paused."
    await bot.say(ALICE, "/lang zh")
    listing = (await bot.say(ALICE, "/alarms")).splitlines()
    assert listing[1].startswith("#1 · 12月10日 周四 10:30（今天） · "), listing
    assert listing[2].startswith("#2 · 已暂停 · "), listing
    await advance(bot, clock, timedelta(minutes=20))
    escalation = await posted(bot, SUPERVISORS, "#1")
    assert "下架夏季连衣裙" in escalation.params["text"]


# ------------------------------------------------------------------------------ charts by the canonical kind


async def test_charts_count_one_reason_typed_in_either_language_as_one(bot: Harness, clock: Any) -> None:
    await seed(RecordKind.REFUND, "123456789012345001 12.5 破损 buyer=tb_a")
    await seed(RecordKind.REFUND, "123456789012345002 3 damaged cup buyer=tb_b")
    await seed(RecordKind.REFUND, "123456789012345003 4 Damaged buyer=tb_c")
    await seed(RecordKind.REFUND, "123456789012345004 5 尺码不合适 buyer=tb_d")
    await seed(RecordKind.COMPLAINT, "123456789012345005 破损 杯子碎了")
    await seed(RecordKind.COMPLAINT, "123456789012345006 damaged cup broken")
    [chart] = await bot.send(ALICE, "/chart refunds month")
    assert chart["caption"] == "damaged 3 · 尺码不合适 1", chart
    [chart] = await bot.send(ALICE, "/chart complaints")
    assert chart["caption"] == "damaged 2", chart
    await bot.say(ALICE, "/lang zh")
    [chart] = await bot.send(ALICE, "/chart 退款")
    assert chart["caption"] == "破损 3 · 尺码不合适 1", chart


# ------------------------------------------------------------------------------------------ readable /audit


async def test_audit_shows_shop_time_and_summarises_bulk_changes(bot: Harness, clock: Any) -> None:
    await bot.introduce(BOB)
    await bot.say(ALICE, "/roster set @bob 2026-12-01..2026-12-12 day")
    await bot.say(ALICE, "/shelf at 10:30 下架夏季连衣裙")
    audit = (await bot.say(ALICE, "/audit 30", chat=ALICE)).splitlines()
    alarm = next(line for line in audit if "下架夏季连衣裙" in line)
    roster = next(line for line in audit if "roster set" in line)
    assert alarm.split(" ", 3)[1:3] == ["2026-12-10", "10:00"]  # when, in the shop's time
    assert "2026-12-10 10:30" in alarm and "+00:00" not in alarm and "02:30" not in alarm, alarm
    assert "@alice: roster set @bob: — → " in roster, roster
    assert "12 days, 2026-12-01 – 2026-12-12" in roster, roster
    assert roster.endswith(("; day", "→ day; 12 days, 2026-12-01 – 2026-12-12")), roster  # JSON key order
    assert "2026-12-02" not in roster
    await bot.say(ALICE, "/roster off @bob 2026-12-01..2026-12-12")
    await bot.say(ALICE, "/lang zh", chat=ALICE)
    off = (await bot.say(ALICE, "/audit 2", chat=ALICE)).splitlines()[2]
    assert off.endswith("@alice: 排班休息 @bob: 12 天，2026-12-01 – 2026-12-12: day ×12 → —"), off


# --------------------------------------------------------------- export times, insurance column, /finance all

PAYEE = "buyer=tb_lee name=张三 alipay=lee@163.com postage=shop"


async def test_finance_chooses_yesterday_or_all_unsent_with_insurance_and_times_to_the_second(
    bot: Harness, clock: Any
) -> None:
    await register(bot, "finance", FINANCE)
    clock.move_to(NOW - timedelta(days=1, microseconds=-123456))
    await seed(RecordKind.REFUND, f"123456789012345001 12.5 破损 {PAYEE} insured=yes")
    clock.move_to(NOW + timedelta(microseconds=654321))
    await seed(RecordKind.REFUND, f"123456789012345002 3 尺码 {PAYEE} insured=no")
    assert await bot.say(ALICE, "/finance") == (
        "Ask in the finance group: the refund table holds customer data.\nUsage: /finance all"
    )
    sent = await bot.send(ALICE, "/finance", FINANCE)
    assert sent[0]["caption"].startswith("💰 Refund table for 2026-12-09: 1 refund, total ¥12.50."), sent[0]
    assert sent[1]["text"].startswith("💰 Refunds waiting for your answer: 1."), sent[1]
    rows = sheet(documents(bot)[-1]["content"])
    assert rows[0][6:8] == ("return tracking", "insurance") and rows[1][7] == "yes" and rows[1][9] == "R-1"
    sent = await bot.send(ALICE, "/finance all", FINANCE)
    assert sent[0]["caption"].startswith(
        "💰 Refund table for everything not yet sent: 1 refund, total ¥3.00."
    ), sent[0]
    assert documents(bot)[-1]["name"] == "refunds-unsent.xlsx"
    rows = sheet(documents(bot)[-1]["content"])
    assert len(rows) == 2 and rows[1][7] == "no" and rows[1][9] == "R-2"
    assert await bot.say(ALICE, "/finance all", FINANCE) == "💰 No refund is waiting to be sent to finance."
    await bot.say(ALICE, "/lang zh", FINANCE)
    assert await bot.say(ALICE, "/finance 全部", FINANCE) == "💰 没有等待发给财务的退款。"
    assert (await bot.say(ALICE, "/finance 上周", FINANCE)).startswith(
        "要哪些退款？昨天，或全部（所有还没发给财务的）。"
    )
    assert await exported(bot, "refunds week") == "refund-2026-12-07_2026-12-13.xlsx"
    rows = sheet(documents(bot)[-1]["content"])
    assert [row[1] for row in rows[1:]] == [datetime(2026, 12, 9, 10, 0), datetime(2026, 12, 10, 10, 0)]
    assert await exported(bot, "refunds week csv") == "refund-2026-12-07_2026-12-13.csv"
    text = documents(bot)[-1]["content"].decode("utf-8-sig")
    assert "2026-12-09 10:00:00," in text and "2026-12-10 10:00:00," in text and "10:00:00." not in text, text


# --------------------------------------------------------------------------- a heads-up as long as the delay


async def test_a_heads_up_as_long_as_the_delay_is_accepted_and_skipped_clearly(
    bot: Harness, clock: Any
) -> None:
    reply = await bot.say(ALICE, "/shelf in 1m 上架冬季外套 lead=1m")
    assert reply == (
        "⏰ Alarm #1 set: once on Thu 10 Dec 10:01. Next: Thu 10 Dec 10:01 (today).\n"
        "⏳ No heads-up this time: the alarm rings within the 1 min heads-up."
    ), reply
    await advance(bot, clock, timedelta(minutes=1))
    await posted(bot, TEAM, "⏰ 上架冬季外套")
    assert [m for m in bot.api.sent(TEAM) if "⏳ In" in m.get("text", "")] == []
    await bot.say(ALICE, "/lang zh")
    reply = await bot.say(ALICE, "/shelf 2分钟后 下架 提前=5分钟")
    assert reply.endswith("⏳ 这次没有提前提醒：离响铃已不到提前的 5 分钟。"), reply
    assert "#2" in reply


# ------------------------------------------------------------------------ escalation: Done and I'm on it


async def test_the_escalation_has_done_and_im_on_it_buttons(bot: Harness, clock: Any) -> None:
    await register(bot, "supervisors", SUPERVISORS)
    await grant(bot, BOB, "supervisor")
    await bot.say(ALICE, "/shelf in 5m 上架冬季外套")
    await advance(bot, clock, timedelta(minutes=5))
    alarm = await posted(bot, TEAM, "⏰ 上架冬季外套")
    await advance(bot, clock, timedelta(minutes=10))
    escalation = await posted(bot, SUPERVISORS, "Nobody marked this alarm done within 10 min")
    assert buttons(escalation) == ["Done ✅", "I'm on it 🙋"]
    mid = escalation.result["message_id"]
    onit = escalation.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    [taken] = await bot.press(BOB, SUPERVISORS, mid, 2)
    assert taken["text"].endswith("(due 10:05, alarm #1).\n🙋 @bob is on it."), taken["text"]
    assert buttons(taken) == ["Done ✅"] and last_answer(bot)["text"] == "🙋 @bob is on it."
    await bot._handled(bot.api.press(SUPERVISORS, ALICE, mid, onit))  # a second taker, from an older copy
    assert last_answer(bot)["text"] == "@bob is already on it."
    assert "alarm.onit" in await bot.say(ALICE, "/audit 1", chat=ALICE)
    edited = await bot.press(BOB, SUPERVISORS, mid, 1)
    assert edited[0]["text"].endswith("🙋 @bob is on it.\n✅ Done by @bob, 10 min after."), edited
    assert buttons(edited[0]) == []
    assert edited[1]["chat"]["id"] == TEAM and edited[1]["message_id"] == alarm.result["message_id"]
    assert edited[1]["text"] == "⏰ 上架冬季外套\n✅ Done by @bob, 10 min after." and buttons(edited[1]) == []
    assert "done by @bob, 10 min after" in await bot.say(ALICE, "/alarm log 1")
    await bot._handled(bot.api.press(SUPERVISORS, ALICE, mid, onit))
    assert last_answer(bot)["text"] == "Already handled."

    await bot.say(ALICE, "/lang zh", SUPERVISORS)
    await bot.say(ALICE, "/shelf in 5m 下架夏装")
    await advance(bot, clock, timedelta(minutes=15))
    escalation = await posted(bot, SUPERVISORS, "下架夏装")
    assert buttons(escalation) == ["完成 ✅", "我来处理 🙋"]
    [taken] = await bot.press(BOB, SUPERVISORS, escalation.result["message_id"], 2)
    assert taken["text"].endswith("🙋 @bob 正在处理。"), taken["text"]
