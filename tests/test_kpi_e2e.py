"""Daily figures (the platform's per-agent export) and the star agent: import by header names in either
language, names mapped exactly, /kpi against the team average, /chart kpi, and the two supervisors' star."""

from __future__ import annotations

from typing import Any

from bot.fakeapi.driver import handled
from bot.models import KpiDay
from tests.harness import ALICE, BOB, CAROL, DAVE, SUPERVISORS, TEAM, Harness
from tests.shop_clock import agents, buttons, last_answer, posted, register, workbook

ZH_HEADER = ["客服", "询单人数", "付款人数", "销售额", "平均响应时间(秒)"]
ORDER = "123456789012345678"
PAYEE = "damaged buyer=tb_lee name=张三 alipay=lee@163.com postage=shop"


EXPORT = workbook([ZH_HEADER, ["@bob", 100, 45, "4,500.00", 28], ["店铺:小王", 80, 20, 1600, 60]])


async def imported(
    bot: Harness, data: bytes = EXPORT, caption: str = "/kpi import", name: str = "kpi.xlsx"
) -> str:
    """Alice sends the export with its caption; the bot's reply."""
    return await bot.say(ALICE, None, document=(name, data), caption=caption)


async def test_import_maps_names_exactly_and_reports_the_unknown(bot: Harness, clock: Any) -> None:
    await agents(bot)
    reply = await imported(bot)
    assert reply.splitlines() == [
        "✅ Figures imported for Sun 22 Nov: 1 row.",
        "Not imported, nobody is mapped to: 店铺:小王. Map each once with /kpi alias <name> @someone and "
        "send "
        "the file again.",
    ]
    assert (
        await bot.say(ALICE, "/kpi alias 店铺:小王 @carol")
        == "✅ “店铺:小王” in the platform's export is @carol."
    )
    assert await imported(bot) == "✅ Figures imported for Sun 22 Nov: 2 rows."
    assert await KpiDay.all().count() == 2  # imported twice, stored once per (day, person)
    table = (await bot.say(BOB, "/kpi")).splitlines()
    assert table[0] == "📊 Figures, Sun 22 Nov"
    assert table[1] == (
        "Team: 180 inquiries → 65 paid (36.1%) · sales ¥6,100.00 · order value ¥93.85 · response 42 s"
    )
    assert table[3] == (
        "@bob: 100 inquiries → 45 paid (45.0%) · sales ¥4,500.00 · order value ¥100.00 · response 28 s"
    )
    assert table[4] == (
        "@carol: 80 inquiries → 20 paid (25.0% ⚠️) · sales ¥1,600.00 · order value ¥80.00 ⚠️ · response 60 s ⚠️"
    )
    assert table[-1] == "⚠️ below the team average"


async def test_csv_with_english_headers_dates_and_periods(bot: Harness, clock: Any) -> None:
    await agents(bot)
    data = (
        b"agent,date,inquiries,paying buyers,sales (CNY),average response seconds\n"
        b'@bob,2026-11-20,50,25,"2,500",30\n@carol,2026-11-20,40,30,3000,20\n@carol,2026-11-02,10,1,50,90\n'
    )
    assert (
        await imported(bot, data, name="export.csv")
        == "✅ Figures imported for Mon 2 Nov – Fri 20 Nov: 3 rows."
    )
    week = await bot.say(BOB, "/kpi last week")
    assert (
        "@carol: 40 inquiries → 30 paid (75.0%)" in week and "@bob: 50 inquiries → 25 paid (50.0% ⚠️)" in week
    )
    month = (await bot.say(BOB, "/kpi month @carol")).splitlines()
    assert month[0] == "📊 Figures, November 2026" and month[1].startswith("Team: 100 inquiries → 56 paid")
    assert month[3].startswith(
        "@carol: 50 inquiries → 31 paid (62.0%) · sales ¥3,050.00 · order value ¥98.39 ⚠️"
    ) and "@bob" not in "\n".join(month)
    assert "No figures for" in await bot.say(BOB, "/kpi 上月")
    await bot.say(ALICE, "/lang zh")
    assert (await bot.say(BOB, "/kpi 本月")).startswith("📊 业绩数据，2026年11月\n团队：询单 100 → 付款 56")


async def test_a_bad_file_changes_nothing_and_only_leads_import(bot: Harness, clock: Any) -> None:
    await agents(bot)
    bad = workbook([ZH_HEADER, ["@bob", 100, "四十", 4500, 28], ["@carol", 10.5, 2, 100, 30]])
    assert (await imported(bot, bad)).splitlines() == [
        "Nothing was changed. Fix these rows and send the file again:",
        "• row 2: “四十” in column paying is not a number.",
        "• row 3: Inquiries and paying buyers are counts of people: whole numbers.",
    ]
    missing = workbook([["客服", "询单人数", "销售额"], ["@bob", 1, 1]])
    assert "The first row needs a column named paying buyers / paying / 付款人数" in await imported(
        bot, missing
    )
    assert await KpiDay.all().count() == 0
    refused = await bot.say(BOB, None, document=("kpi.xlsx", EXPORT), caption="/kpi import")
    assert refused == "Sorry, this needs the role: supervisor, manager."
    assert "No figures yet" in await bot.say(BOB, "/kpi")


async def test_chart_of_the_month_per_agent(bot: Harness, clock: Any) -> None:
    await agents(bot)
    await bot.say(ALICE, "/kpi alias 店铺:小王 @carol")
    assert await imported(bot, caption="/kpi import 11-20") == "✅ Figures imported for Fri 20 Nov: 2 rows."
    [photo] = await bot.send(ALICE, "/chart kpi")
    assert "photo" in photo
    assert "Nothing to chart in" in await bot.say(ALICE, "/chart 业绩 上月")


async def test_star_shortlist_and_two_supervisors_confirm(bot: Harness, clock: Any) -> None:
    await agents(bot)
    said = bot.api.message(TEAM, DAVE, "hi")  # Dave has no @username: his role is given in reply to him
    await handled(bot.api, bot.app, said)
    await bot.say(ALICE, "/role @alice supervisor")
    assert "is now" in await bot.say(ALICE, "/role supervisor", reply_to=said["message"]["message_id"])
    await register(bot, "team", TEAM)
    assert "Register the supervisors' chat first" in await bot.say(ALICE, "/star 本月")
    await register(bot, "supervisors", SUPERVISORS)
    await bot.say(ALICE, "/kpi alias 店铺:小王 @carol")
    await imported(bot)
    card = (await bot.send(CAROL, f"/refund {ORDER} 12.5 {PAYEE}"))[-1]
    assert buttons(card) == ["→ sent to finance", "→ withdrawn by buyer"]
    [withdrawn] = await bot.press(CAROL, TEAM, card["message_id"], 2)
    assert "withdrawn by buyer by @carol" in withdrawn["text"] and buttons(withdrawn) == []

    replies = await bot.send(ALICE, "/star this month")
    told = [m["text"] for m in replies if m["chat"]["id"] == TEAM]
    assert told == ["⭐ The shortlist for November 2026 is in the supervisors' chat."]
    shortlist = await posted(bot, SUPERVISORS, "⭐ Star agent of November 2026: the shortlist")
    text = shortlist.params["text"]
    assert "• Conversion closest to 1: @bob (45.0%), @carol (25.0%)" in text
    assert "• Highest sales: @bob (¥4,500.00), @carol (¥1,600.00)" in text
    assert "• Most refunds withdrawn by buyers: @carol (1)" in text
    assert "1. @bob: places 1 + 1 + 2" in text and "2. @carol: places 2 + 2 + 1" in text
    assert buttons(shortlist) == ["⭐ @bob", "⭐ @carol"]
    message = shortlist.result["message_id"]

    assert await bot.press(BOB, SUPERVISORS, message, 1) == []
    assert last_answer(bot)["text"] == "Sorry, this needs the role: supervisor."
    [first] = await bot.press(ALICE, SUPERVISORS, message, 1)
    assert first["text"].endswith("✅ @alice confirmed @bob (1 of 2).")
    assert await bot.press(ALICE, SUPERVISORS, message, 1) == []  # the same supervisor twice is still one
    assert last_answer(bot)["text"] == "You have already confirmed this person."
    [other] = await bot.press(DAVE, SUPERVISORS, message, 2)
    assert other["text"].endswith("✅ Dave confirmed @carol (1 of 2).") and buttons(other)
    done = await bot.press(DAVE, SUPERVISORS, message, 1)
    announcement = (
        "⭐ Star agent of November 2026: @bob! Confirmed by @alice, Dave; "
        "reward ¥500.00 booked in the ledger."
    )
    assert done[0]["text"].endswith(announcement) and buttons(done[0]) == []
    assert "⭐ Star agent of November 2026: @bob. Congratulations!" in [
        m.get("text") for m in bot.api.sent(TEAM)
    ]
    assert "The star agent of 2026-11 is already confirmed." in await bot.say(ALICE, "/star 本月")


async def test_a_supervisor_cannot_confirm_themselves(bot: Harness, clock: Any) -> None:
    await agents(bot)
    await bot.say(ALICE, "/role @carol supervisor")
    await register(bot, "supervisors", SUPERVISORS)
    await bot.say(ALICE, "/kpi alias 店铺:小王 @carol")
    await imported(bot)
    await bot.say(ALICE, "/star 本月", chat=SUPERVISORS)
    shortlist = await posted(bot, SUPERVISORS, "the shortlist")
    assert await bot.press(CAROL, SUPERVISORS, shortlist.result["message_id"], 2) == []
    assert last_answer(bot)["text"] == "You are part of this, so someone else has to decide it."
