"""/report, /chart and /export end to end through the real bot, in English and Chinese, on SQLite and
PostgreSQL: what supervisors see, the PNG and the file that arrive, private delivery, masking, refusals."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.enums import RecordKind
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.team.rules import Rules
from tests.harness import ALICE, BOB, CAROL, TEAM, Harness

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 on 10 December in Shanghai
PNG = b"\x89PNG\r\n\x1a\n"
PERSONAL = 'name=张三 phone=13812345678 alipay=lee@163.com address="浙江省杭州市西湖区文三路100号"'
SECRETS = ("张三", "13812345678", "lee@163.com", "西湖区")


@pytest.fixture
def start() -> datetime:
    """The shop's clock starts on 10 December so "month" and "today" mean known days."""
    return NOW


async def seed(kind: RecordKind, words: str, author: int = ALICE) -> records.Record:
    """Store a record through the service (the bot's database is open), sparing the group's message budget."""
    draft = records.parse(kind, rf.split_words(words), Rules())
    created = await records.create(
        draft, author_id=author, chat_id=TEAM, rules=Rules(), now=datetime.now(UTC), force=True
    )
    assert created.record is not None
    return created.record


async def seed_month() -> None:
    """Refunds and complaints by a repeat claimant, one paid, plus a courier query."""
    paid = await seed(RecordKind.REFUND, f"123456789012345001 12.5 破损 buyer=tb_lee {PERSONAL} postage=shop")
    await records.change_status(paid, "sent", actor_id=ALICE, chat_id=TEAM)
    await records.change_status(paid, "paid", actor_id=ALICE, chat_id=TEAM)
    await seed(RecordKind.REFUND, "123456789012345002 3 size buyer=tb_lee")
    await seed(RecordKind.COMPLAINT, "123456789012345003 damaged cup broken buyer=tb_lee")
    await seed(RecordKind.COURIER, "SF1234567890 overdue")


async def grant(bot: Harness, user: int, *roles: str) -> None:
    """Alice grants roles from her private chat."""
    names = {BOB: "@bob", CAROL: "@carol"}
    await bot.introduce(user)
    reply = await bot.say(ALICE, f"/role {names[user]} {' '.join(roles)}", chat=ALICE)
    assert "is now" in reply or "现在是" in reply, reply


async def said_in_chat(bot: Harness, user: int, text: str, chat: int = TEAM) -> str:
    """What the bot answered in the chat itself (not what it sent elsewhere, e.g. privately)."""
    return "\n".join(m.get("text", "") for m in await bot.send(user, text, chat) if m["chat"]["id"] == chat)


def documents(bot: Harness) -> list[dict[str, Any]]:
    """Every document the bot sent: chat, file name, caption and bytes."""
    found = []
    for call in bot.api.calls_to("sendDocument"):
        upload = call.params["document"]
        found.append(
            {
                "chat": int(call.params["chat_id"]),
                "name": upload["filename"],
                "caption": call.params.get("caption", ""),
                "content": upload["content"],
            }
        )
    return found


def sheet(data: bytes) -> list[tuple[Any, ...]]:
    """An xlsx file's first sheet, as openpyxl reads it."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def photo(bot: Harness) -> bytes:
    """The last PNG the bot sent, checked to be a real PNG that Pillow opens."""
    data: bytes = bot.api.calls_to("sendPhoto")[-1].params["photo"]["content"]
    assert data.startswith(PNG)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
        assert image.format == "PNG" and image.size == (1200, 750)
    return data


# ------------------------------------------------------------------------------------------------- /report


async def test_report_for_the_month_in_english(bot: Harness, clock: Any) -> None:
    await seed_month()
    reply = (await bot.say(ALICE, "/report month")).splitlines()
    assert reply[:5] == [
        "📊 Report December 2026",
        "Records logged: 4",
        "• Refund 2: draft 1, paid 1",
        "• Courier query 1: open 1",
        "• Complaint slip 1: new 1",
    ]
    assert "Refunded (marked paid): ¥12.50 in 1 refunds" in reply
    assert "By agent: @alice 4" in reply
    assert "Repeat claimants: tb_lee 3" in reply
    assert "Alarms: none fell due." in reply
    assert any(line.startswith("Time to resolve: median 0 s (1 records") for line in reply)


async def test_report_in_chinese(bot: Harness, clock: Any) -> None:
    await seed_month()
    await bot.say(ALICE, "/lang zh")
    reply = await bot.say(ALICE, "/report 本月")
    assert reply.startswith("📊 报表 2026年12月\n登记记录：4 条")
    assert "已退款（已标记付款）：¥12.50，共 1 笔" in reply and "重复索赔买家：tb_lee 3" in reply
    today = await bot.say(ALICE, "/report 今天")
    assert today.startswith("📊 报表 12月10日 周四\n登记记录：4 条")


async def test_report_is_for_supervisors_and_managers(bot: Harness, clock: Any) -> None:
    await grant(bot, BOB, "aftersale")
    assert await bot.say(BOB, "/report") == "Sorry, this needs the role: supervisor, manager."
    await grant(bot, BOB, "supervisor")
    assert (await bot.say(BOB, "/report week")).startswith("📊 Report Mon 7 Dec – Sun 13 Dec")


async def test_report_with_a_bad_period_says_how(bot: Harness, clock: Any) -> None:
    assert await bot.say(ALICE, "/report soon") == (
        "Unknown period “soon”. Periods: today 今天, yesterday 昨天, week 本周, last week 上周, month 本月, "
        "last month 上月, 11月, 2026-11.\nUsage: /report month"
    )
    assert (await bot.say(ALICE, "/report 2026-13")).startswith("“2026-13” is not a month")


# -------------------------------------------------------------------------------------------------- /chart


async def test_charts_in_english(bot: Harness, clock: Any) -> None:
    await seed_month()
    sent = await bot.send(ALICE, "/chart refunds month")
    assert len(sent) == 1 and "photo" in sent[0] and sent[0]["chat"]["id"] == TEAM
    refunds = photo(bot)
    await bot.send(ALICE, "/chart complaints")
    assert photo(bot) != refunds
    assert await bot.say(ALICE, "/chart alarms") == "Nothing to chart in December 2026."
    assert len(bot.api.calls_to("sendPhoto")) == 2


async def test_charts_in_chinese(bot: Harness, clock: Any) -> None:
    await seed_month()
    await bot.say(ALICE, "/lang zh")
    await bot.send(ALICE, "/chart 退款 本月")
    photo(bot)
    await bot.send(ALICE, "/chart 投诉 2026-12")
    photo(bot)
    assert await bot.say(ALICE, "/chart 闹钟 今天") == "12月10日 周四 没有可画图的数据。"


async def test_chart_bad_input(bot: Harness, clock: Any) -> None:
    assert await bot.say(ALICE, "/chart sales") == (
        "Unknown chart “sales”. Charts: refunds 退款, complaints 投诉, alarms 闹钟, kpi 业绩.\n"
        "Usage: /chart refunds month"
    )
    assert (await bot.say(ALICE, "/chart")).startswith("Which chart?")
    assert (await bot.say(ALICE, "/chart refunds someday")).startswith("Unknown period “someday”.")
    assert bot.api.calls_to("sendPhoto") == []


# ------------------------------------------------------------------------------------------------- /export


async def test_export_from_the_group_goes_to_the_manager_privately_in_full(bot: Harness, clock: Any) -> None:
    await seed_month()
    reply = await said_in_chat(bot, ALICE, "/export refund month")
    assert reply == "📎 Sent to you privately: refund-2026-12-01_2026-12-31.xlsx."
    [document] = documents(bot)
    assert document["chat"] == ALICE and document["name"] == "refund-2026-12-01_2026-12-31.xlsx"
    assert document["caption"] == "refund-2026-12-01_2026-12-31.xlsx: 2 rows."
    rows = sheet(document["content"])
    assert rows[0][:8] == ("id", "logged at", "logged by", "status", "order", "amount", "buyer", "name")
    assert rows[1][:8] == (
        "R-1",
        datetime(2026, 12, 10, 10, 0),
        "@alice",
        "paid",
        "123456789012345001",
        12.5,
        "tb_lee",
        "张三",
    )
    assert rows[2][0] == "R-2" and len(rows) == 3
    assert all(secret not in reply for secret in SECRETS)


async def test_warehouse_gets_masked_data_and_csv_on_request(bot: Harness, clock: Any) -> None:
    await seed_month()
    await grant(bot, CAROL, "warehouse")
    await bot.say(CAROL, "/export all month csv", chat=CAROL)
    [document] = documents(bot)
    assert document["chat"] == CAROL and document["name"] == "all-2026-12-01_2026-12-31.csv"
    assert document["caption"].endswith("4 rows. Personal data is masked for your role.")
    text = document["content"].decode("utf-8-sig")
    assert "张*" in text and "138****5678" in text and "浙江省杭州市****" in text
    assert all(secret not in text for secret in SECRETS)


async def test_export_in_chinese(bot: Harness, clock: Any) -> None:
    await seed_month()
    await bot.say(ALICE, "/lang zh")
    assert (
        await said_in_chat(bot, ALICE, "/export 投诉 本月")
        == "📎 已私聊发给你：complaint-2026-12-01_2026-12-31.xlsx。"
    )
    await bot.say(ALICE, "/lang zh", chat=ALICE)
    await bot.say(ALICE, "/export 退款 2026-12 csv", chat=ALICE)
    complaint, refund = documents(bot)
    assert sheet(complaint["content"])[0][:4] == ("编号", "登记时间", "登记人", "状态")
    assert refund["caption"] == "refund-2026-12-01_2026-12-31.csv：2 行。"
    assert (
        refund["content"].decode("utf-8-sig").splitlines()[0].startswith("编号,登记时间,登记人,状态,订单号")
    )
    assert await bot.say(ALICE, "/export 退款 2026-11", chat=ALICE) == "2026年11月 没有可导出的记录。"


async def test_someone_who_never_started_the_bot_gets_the_file_by_a_link(bot: Harness, clock: Any) -> None:
    await seed_month()
    await grant(bot, BOB, "finance")
    bot.api.block(BOB)  # Telegram answers 403 until the person opens a chat with the bot
    [offer] = await bot.send(BOB, "/export refund month")
    assert offer["chat"]["id"] == TEAM and offer["text"] == (
        "🔒 I cannot write to you privately yet: press the button, then Start, and the file comes to you."
    )
    [[button]] = offer["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Get the file in private 🔒"
    link = "/start " + button["url"].partition("?start=")[2]
    assert link.startswith("/start export-")
    assert [call for call in bot.api.calls_to("sendDocument") if call.status == 200] == []

    assert "made for someone else" in await bot.say(CAROL, link, chat=CAROL)
    bot.api.block(BOB, False)  # Bob presses the button, then Start
    clock.shift(timedelta(minutes=30))
    await bot.send(BOB, link, chat=BOB)
    refused, document = documents(bot)  # the first try answered 403
    assert refused["chat"] == document["chat"] == BOB
    assert document["name"] == "refund-2026-12-01_2026-12-31.xlsx"
    assert document["caption"] == "refund-2026-12-01_2026-12-31.xlsx: 2 rows."
    assert sheet(document["content"])[1][7] == "张三"  # finance sees the payee in full, in private
    assert "expired or was already used" in await bot.say(BOB, link, chat=BOB)


async def test_the_export_link_in_chinese(bot: Harness, clock: Any) -> None:
    await seed_month()
    await grant(bot, BOB, "finance")
    await bot.say(ALICE, "/lang zh")
    bot.api.block(BOB)
    [offer] = await bot.send(BOB, "/export 退款 本月 csv")
    assert offer["text"] == "🔒 我还不能私聊你：点下面的按钮，再点“开始”，文件就会发给你。"
    [[button]] = offer["reply_markup"]["inline_keyboard"]
    assert button["text"] == "在私聊中接收文件 🔒"
    bot.api.block(BOB, False)
    await bot.send(BOB, "/start " + button["url"].partition("?start=")[2], chat=BOB)
    _, document = documents(bot)
    assert document["chat"] == BOB and document["name"] == "refund-2026-12-01_2026-12-31.csv"


async def test_export_refused_to_roles_without_access_and_on_bad_input(bot: Harness, clock: Any) -> None:
    await seed_month()
    await grant(bot, BOB, "presale")
    assert await bot.say(BOB, "/export refund") == (
        "Sorry, this needs the role: supervisor, manager, finance, warehouse."
    )
    assert await bot.say(ALICE, "/export sales") == (
        "Unknown kind “sales”. Export one of: refund 退款, courier 查件, complaint 投诉, problem 问题, "
        "review 差评, all 全部.\nUsage: /export refund month xlsx"
    )
    assert (await bot.say(ALICE, "/export refund month pdf")).startswith("Unknown period “month pdf”.")
    assert (await bot.say(ALICE, "/export")).startswith("Export what?")
    assert await bot.say(ALICE, "/export problem") == "Nothing to export in December 2026."
    assert bot.api.calls_to("sendDocument") == []


async def test_an_export_is_in_the_audit_log(bot: Harness, clock: Any) -> None:
    await seed_month()
    await bot.say(ALICE, "/export refund", chat=ALICE)
    assert "export refund-2026-12-01_2026-12-31.xlsx" in await bot.say(ALICE, "/audit 1", chat=ALICE)


async def test_help_lists_the_report_commands_for_leads_only(bot: Harness, clock: Any) -> None:
    help_text = await bot.say(ALICE, "/help", chat=ALICE)
    assert "/report" in help_text and "/chart" in help_text and "/export" in help_text
    await grant(bot, BOB, "presale")
    assert "/report" not in await bot.say(BOB, "/help", chat=BOB)
