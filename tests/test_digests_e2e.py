"""Digests end to end with a controlled clock: /digest, the finance refund table and finance's answers
(buttons and the file sent back), the warehouse's complaint slips with photos, supervisors' problem orders."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from bot import db
from bot.fakeapi.server import ApiCall
from bot.models import Delivery, Occurrence
from tests.harness import ALICE, BOB, CAROL, FINANCE, SUPERVISORS, TEAM, WAREHOUSE, Harness
from tests.shop_clock import FINANCE_COLUMNS, START, advance, buttons, posted, register, texts

ORDER, OTHER, THIRD = "123456789012345678", "223456789012345678", "323456789012345678"
FOURTH = "423456789012345678"
TO_0830 = timedelta(hours=22, minutes=30)
"""From the clock's start (Monday 10:00) to the finance digest on Tuesday 08:30."""
REFUNDS = (
    f"/refund {ORDER} 12.5 破损 buyer=tb_lee name=李雷 alipay=lee@163.com postage=shop tracking=YT1234567890",
    f"/refund {OTHER} 5 少件 buyer=tb_wang name=王芳 alipay=13812345678 postage=buyer",
    f"/refund {THIRD} 3 运费 buyer=tb_zhao name=赵六 alipay=zhao@163.com postage=split",
)
DRAFT = f"/refund {FOURTH} 7 运费 buyer=tb_sun"
"""A refund finance could not pay (no real name, Alipay or postage payer): it waits as a draft."""


async def sent_file(bot: Harness, chat: int, *, after: int = 0) -> ApiCall:
    """Wait for the bot to send a document to `chat`."""
    return await bot.api.wait_for("sendDocument", lambda c: int(c.params["chat_id"]) == chat, after=after)


def rows_of(call: ApiCall) -> list[list[Any]]:
    """The cells of the spreadsheet the bot sent."""
    book = load_workbook(io.BytesIO(call.params["document"]["content"]), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def xlsx(rows: list[list[Any]]) -> bytes:
    """A spreadsheet as finance would save it."""
    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def joined(messages: list[dict[str, Any]]) -> str:
    """Everything the bot sent or edited, as one text."""
    return "\n".join(str(message.get("text") or message.get("caption") or "") for message in messages)


async def finance_digest(bot: Harness, clock: Any) -> tuple[ApiCall, ApiCall]:
    """Register the finance chat, log three refunds today, and let Tuesday's 08:30 digest go out."""
    await register(bot, "finance", FINANCE)
    for command in REFUNDS:
        await bot.say(ALICE, command)
    await advance(bot, clock, TO_0830)
    table = await sent_file(bot, FINANCE)
    answers = await posted(bot, FINANCE, "Refunds waiting for your answer")
    return table, answers


# ------------------------------------------------------------------------------------------------ /digest


async def test_digest_lists_and_changes_times(bot: Harness, clock: Any) -> None:
    listing = await bot.say(ALICE, "/digest")
    assert (
        "Finance digest (yesterday's refund table): no group gets it yet, register one with /setup finance"
        in (listing)
    )
    await register(bot, "finance", FINANCE)
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    listing = await bot.say(ALICE, "/digest")
    assert "every day at 08:30 → Finance · next: Tue 24 Nov 08:30 (tomorrow)" in listing
    assert "every 3 hours from 09:00 to 18:00 → Supervisors · next: Mon 23 Nov 12:00 (today)" in listing
    changed = await bot.say(ALICE, "/digest finance 07:45")
    assert changed.startswith("✅ Changed for Finance:")
    assert "every day at 07:45 → Finance · next: Tue 24 Nov 07:45" in changed
    changed = await bot.say(ALICE, "/digest 主管 每2小时 10点到16点")
    assert "every 2 hours from 10:00 to 16:00 → Supervisors · next: Mon 23 Nov 12:00" in changed
    assert "next: paused" in await bot.say(ALICE, "/digest 财务 关闭")
    assert "next: Tue 24 Nov 07:45" in await bot.say(ALICE, "/digest finance on")
    working = await bot.say(ALICE, "/digest finance 工作日8点半")
    assert "every working day at 08:30 → Finance · next: Tue 24 Nov 08:30" in working
    audit = await bot.say(ALICE, "/audit 3", chat=ALICE)
    assert audit.count("schedule state") + audit.count("digest.time") >= 2


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/digest boss 08:30", "Unknown digest “boss”"),
        ("/digest finance", "Say when, or off / on"),
        ("/digest warehouse 18:00", "type /setup warehouse in that group first"),
        ("/digest supervisors in 5m", "A digest repeats"),
        ("/digest supervisors 25:00", "is not a time of day"),
    ],
)
async def test_bad_digest_commands_are_explained(
    bot: Harness, clock: Any, command: str, problem: str
) -> None:
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    reply = await bot.say(ALICE, command)
    assert problem in reply and "Usage: /digest finance 08:30" in reply
    assert "every 3 hours from 09:00 to 18:00" in await bot.say(ALICE, "/digest")


async def test_digest_needs_a_supervisor_or_manager(bot: Harness, clock: Any) -> None:
    assert "Sorry, this needs the role: supervisor, manager." in await bot.say(BOB, "/digest")


# ------------------------------------------------------------------------------------------------ finance


async def test_finance_gets_yesterdays_refund_table_unmasked_with_totals(bot: Harness, clock: Any) -> None:
    await register(bot, "finance", FINANCE)
    for command in (*REFUNDS, DRAFT):
        await bot.say(ALICE, command)
    await advance(bot, clock, TO_0830 - timedelta(minutes=1))
    assert bot.api.calls_to("sendDocument") == []
    await advance(bot, clock, timedelta(minutes=1))
    table = await sent_file(bot, FINANCE)
    assert table.params["document"]["filename"] == "refunds-2026-11-23.xlsx"
    assert "💰 Refund table for 2026-11-23: 3 refunds, total ¥20.50." in table.params["caption"]
    assert rows_of(table) == [  # the draft R-4 is not in it: finance could not pay it
        FINANCE_COLUMNS,
        [
            "tb_lee",
            "李雷",
            "lee@163.com",
            12.5,
            "破损",
            "shop pays",
            "YT1234567890",
            None,
            ORDER,
            "R-1",
            None,
        ],
        ["tb_wang", "王芳", "13812345678", 5, "少件", "buyer pays", None, None, OTHER, "R-2", None],
        ["tb_zhao", "赵六", "zhao@163.com", 3, "运费", "split 50:50", None, None, THIRD, "R-3", None],
    ]
    answers = await posted(bot, FINANCE, "Refunds waiting for your answer: 3")
    assert "R-1 · ¥12.50 · tb_lee · 李* · l***@163.com" in answers.params["text"]  # a group message: masked
    assert buttons(answers) == [
        "✅ R-1 paid",
        "❌ R-1 rejected",
        "✅ R-2 paid",
        "❌ R-2 rejected",
        "✅ R-3 paid",
        "❌ R-3 rejected",
    ]
    card = await bot.say(ALICE, "/show R-1", chat=ALICE)
    assert "sent to finance" in card
    assert "R-4 · Refund · draft" in await bot.say(ALICE, "/show R-4", chat=ALICE)
    await advance(bot, clock, timedelta(days=1))
    await posted(bot, FINANCE, "💰 No refunds were logged on 2026-11-24.")
    assert len(bot.api.calls_to("sendDocument")) == 1


async def test_finance_answers_with_buttons_and_a_rejection_goes_back_to_the_team(
    bot: Harness, clock: Any
) -> None:
    _, answers = await finance_digest(bot, clock)
    list_id = answers.result["message_id"]
    redrawn = await bot.press(ALICE, FINANCE, list_id, 1)  # ✅ R-1 paid
    assert "Refunds waiting for your answer: 2" in redrawn[-1]["text"]
    assert buttons(redrawn[-1])[:2] == ["✅ R-2 paid", "❌ R-2 rejected"]
    prompt = await bot.press(ALICE, FINANCE, list_id, 2)  # ❌ R-2 rejected
    assert "Why is R-2 rejected? Reply to this message with the reason." in prompt[-1]["text"]
    done = await bot.send(ALICE, "支付宝账号不对", chat=FINANCE, reply_to=prompt[-1]["message_id"])
    assert any("❌ R-2 rejected: 支付宝账号不对. The team was told." in m.get("text", "") for m in done)
    told = await posted(bot, TEAM, "❌ Finance (@alice) rejected R-2: 支付宝账号不对")
    assert "Correct it with /edit R-2" in told.params["text"]
    assert buttons(told) == ["→ sent to finance"]
    assert "Refunds waiting for your answer: 1" in bot.api.get_message(FINANCE, list_id)["text"]  # type: ignore[index]
    shown = await bot.say(ALICE, "/show R-2", chat=ALICE)
    assert "@alice: status rejected: 支付宝账号不对" in shown
    assert "status sent to finance" in shown  # by the bot, when it sent the table


async def test_finance_buttons_need_the_finance_role(bot: Harness, clock: Any) -> None:
    _, answers = await finance_digest(bot, clock)
    await bot.press(BOB, FINANCE, answers.result["message_id"], 1)
    answer = bot.api.calls_to("answerCallbackQuery")[-1]
    assert "Sorry, this needs the role: manager, finance." in str(answer.params.get("text"))
    assert "R-1 · Refund · sent to finance" in await bot.say(ALICE, "/show R-1", chat=ALICE)


async def test_the_returned_table_answers_every_row_at_once(bot: Harness, clock: Any) -> None:
    table, _ = await finance_digest(bot, clock)
    await bot.introduce(CAROL, chat=FINANCE)
    await bot.say(ALICE, "/role @carol finance", chat=FINANCE)
    rows = rows_of(table)
    rows[0].append("result")
    rows[1].append("已打款")
    rows[2].append("驳回：实名不符")
    rows[3].append("")
    sent = await bot.send(CAROL, None, chat=FINANCE, document=("refunds.xlsx", xlsx(rows)), caption="done")
    assert "✅ Answers recorded: 1 paid, 1 rejected. Already answered: 0. Blank: 1." in joined(sent)
    await posted(bot, TEAM, "❌ Finance (@carol) rejected R-2: 实名不符")
    statuses = await bot.say(ALICE, "/open refund", chat=ALICE)
    assert "R-3 · sent to finance" in statuses and "R-1" not in statuses and "R-2 · rejected" in statuses
    assert "Refunds waiting for your answer: 1" in joined(sent)  # the list is redrawn
    again = await bot.send(CAROL, None, chat=FINANCE, document=("refunds.xlsx", xlsx(rows)), caption="again")
    assert "Already answered: 2" in joined(again)


async def test_a_bad_returned_table_changes_nothing_and_lists_every_problem(bot: Harness, clock: Any) -> None:
    table, _ = await finance_digest(bot, clock)
    rows = rows_of(table)
    rows[0].append("结果")
    rows[1].append("paid")
    rows[2][9] = "R-99"
    rows[2].append("paid")
    rows[3].append("maybe")
    reply = await bot.send(
        ALICE, None, chat=FINANCE, document=("r.xlsx", xlsx(rows)), reply_to=table.result["message_id"]
    )
    text = reply[-1]["text"]
    assert "Nothing was changed. Fix these rows and send the file again:" in text
    assert "• row 3: There is no record R-99." in text and "• row 4: “maybe” is not paid or rejected" in text
    headless = [row[:8] + row[9:] for row in rows]
    reply = await bot.send(ALICE, None, chat=FINANCE, document=("r.xlsx", xlsx(headless)), caption="x")
    assert "• row 1: The header row lacks the column “order number”." in reply[-1]["text"]
    wrong = await bot.send(ALICE, None, chat=FINANCE, document=("r.txt", b"hello"), caption="x")
    assert "must be an .xlsx or .csv file" in wrong[-1]["text"]
    for short_id in ("R-1", "R-2", "R-3"):
        assert f"{short_id} · Refund · sent to finance" in await bot.say(
            ALICE, f"/show {short_id}", chat=ALICE
        )


async def test_files_elsewhere_or_without_caption_are_not_answers(bot: Harness, clock: Any) -> None:
    table, _ = await finance_digest(bot, clock)
    rows = rows_of(table)
    rows[0].append("result")
    rows[1].append("paid")
    assert await bot.send(ALICE, None, chat=FINANCE, document=("r.xlsx", xlsx(rows))) == []
    assert await bot.send(ALICE, None, chat=TEAM, document=("r.xlsx", xlsx(rows)), caption="paid") == []
    assert "R-1 · Refund · sent to finance" in await bot.say(ALICE, "/show R-1", chat=ALICE)


async def test_a_429_delays_the_finance_digest_and_each_part_goes_out_once(bot: Harness, clock: Any) -> None:
    await register(bot, "finance", FINANCE)
    await bot.say(ALICE, REFUNDS[0])
    bot.api.fail("sendDocument", status=429, retry_after=3, times=1)
    await advance(bot, clock, TO_0830)
    await bot.api.wait_for("sendDocument", lambda call: call.status == 429)
    await bot.say(ALICE, "/digest")  # a round trip, so the bot has taken the 429 in
    await advance(bot, clock, timedelta(seconds=4))
    await bot.api.wait_for("sendDocument", lambda call: call.status == 200)
    await posted(bot, FINANCE, "Refunds waiting for your answer: 1")
    await advance(bot, clock, timedelta(minutes=5))
    await bot.say(ALICE, "/digest")
    assert [c.status for c in bot.api.calls_to("sendDocument")] == [429, 200]
    assert len(texts(bot, FINANCE, "Refunds waiting for your answer")) == 1


async def test_a_restart_does_not_post_a_digest_twice(db_url: str) -> None:
    with time_machine.travel(START + TO_0830 - timedelta(minutes=1), tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await register(first, "finance", FINANCE)
            await first.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
            await advance(first, traveller, timedelta(minutes=1))
            await posted(first, FINANCE, "No refunds were logged")
        async with Harness.running(db_url) as second:
            await second.say(ALICE, "/digest")
            assert texts(second, FINANCE, "No refunds") == []
            assert "every day at 08:30 → Finance · next: Wed 25 Nov 08:30" in await second.say(
                ALICE, "/digest"
            )


async def test_a_digest_cut_off_between_parts_is_finished_once_after_a_restart(db_url: str) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        async with Harness.running(db_url) as first:
            await register(first, "finance", FINANCE)
            await first.say(ALICE, REFUNDS[0])
            await advance(first, traveller, TO_0830)
            await posted(first, FINANCE, "Refunds waiting for your answer: 1")
        await db.open_db(db_url)  # as if the bot died after Telegram took the list, before it was recorded
        await Occurrence.filter(kind="alarm").update(state="sending")
        await Delivery.filter(part="dlist").update(state="sending")
        await db.close_db()
        async with Harness.running(db_url) as second:
            await posted(second, FINANCE, "Refunds waiting for your answer: 1")
            await second.say(ALICE, "/digest")
            assert second.api.calls_to("sendDocument") == []
            assert len(texts(second, FINANCE, "Refunds waiting")) == 1
            assert await Occurrence.filter(state="sending").count() == 0
            assert await Delivery.filter(state="sending").count() == 0


# ------------------------------------------------------------------------------------ warehouse, supervisors


async def forward(bot: Harness, logged: dict[str, Any]) -> None:
    """A slip's way to the warehouse: anyone sends it to the supervisors, a supervisor forwards it."""
    await bot.press(ALICE, TEAM, logged["message_id"], 1)  # → with supervisor: posted to the supervisors
    routed = bot.api.sent(SUPERVISORS)[-1]
    await bot.press(ALICE, SUPERVISORS, routed["message_id"], 1)  # → with warehouse


async def test_warehouse_gets_the_complaint_slips_supervisors_forwarded_by_kind_with_photos(
    bot: Harness, clock: Any
) -> None:
    await register(bot, "supervisors", SUPERVISORS)
    await register(bot, "warehouse", WAREHOUSE)
    [logged] = await bot.send(
        ALICE, None, photo=True, caption=f"/complaint {ORDER} damaged cup broken offer=gift"
    )
    [unseen] = await bot.send(ALICE, f"/complaint {OTHER} 少件 少了一只袜子 name=李雷")
    [third] = await bot.send(ALICE, f"/complaint {THIRD} damaged box crushed")
    await forward(bot, logged)
    await forward(bot, third)
    assert bot.api.sent(WAREHOUSE)[-1]["text"].startswith("📨 @alice passes C-3 to you.")
    await advance(bot, clock, timedelta(hours=8))
    digest = await posted(bot, WAREHOUSE, "📦 Complaint slips forwarded to you in the last 24 hours: 2")
    text = digest.params["text"]
    assert text.index("damaged (2):") < text.index("C-1 ·") < text.index("C-3 ·")
    assert "C-1 · 123456789012345678 · cup broken · offer: small gift next order · photos: 1" in text
    assert "C-2" not in text and "missing item" not in text  # no supervisor has seen it
    assert "李雷" not in text and unseen["text"].startswith("C-2 · Complaint slip · new")
    sent_photo = await bot.api.wait_for(
        "sendPhoto", lambda c: int(c.params["chat_id"]) == WAREHOUSE and "damaged" in c.params["caption"]
    )
    assert sent_photo.params["caption"] == f"C-1 · damaged · {ORDER}"
    assert (
        sent_photo.params["photo"] == logged["reply_to_message"]["photo"][-1]["file_id"]
    )  # the buyer's photo
    await advance(bot, clock, timedelta(days=1))
    await posted(bot, WAREHOUSE, "📦 No complaint slip was forwarded to you in the last 24 hours.")
    assert len(bot.api.calls_to("sendPhoto")) == 2  # once when forwarded, once in the digest


async def test_supervisors_get_open_problem_orders_every_3_hours(bot: Harness, clock: Any) -> None:
    await bot.say(ALICE, "/setup supervisors", chat=SUPERVISORS)
    await bot.say(ALICE, f"/problem {ORDER} 缺货 蓝色M")
    await advance(bot, clock, timedelta(minutes=30))
    await bot.say(ALICE, f"/problem {OTHER} unclear-address")
    await bot.say(ALICE, f"/problem {THIRD} out-of-stock")
    await advance(bot, clock, timedelta(minutes=90))
    digest = await posted(bot, SUPERVISORS, "🧩 Open problem orders: 3, oldest first.")
    text = digest.params["text"]
    assert text.index("unclear address (1):") < text.index("out of stock (2):")
    assert f"• P-1 · {ORDER} · 11-23 10:00 (2 h) · 蓝色M" in text
    assert text.index("P-1 ·") < text.index("P-3 ·")
    for short_id in ("P-1", "P-2", "P-3"):
        card = await bot.send(ALICE, f"/show {short_id}")
        await bot.press(ALICE, TEAM, card[-1]["message_id"], 1)  # → fixed
    await advance(bot, clock, timedelta(hours=3))
    await posted(bot, SUPERVISORS, "🧩 No open problem orders.")
    await advance(bot, clock, timedelta(hours=3))  # 18:00 is the window's last posting
    await bot.api.wait_for("sendMessage", lambda call: len(texts(bot, SUPERVISORS, "🧩")) == 3)
    await advance(bot, clock, timedelta(hours=3))
    await bot.say(ALICE, "/digest")  # a round trip: a posting due at 21:00 would have started
    assert len(texts(bot, SUPERVISORS, "🧩")) == 3


# ---------------------------------------------------------------------------------------------------- 中文


async def test_a_chinese_finance_chat_gets_chinese_headers_and_answers(bot: Harness, clock: Any) -> None:
    await register(bot, "财务", FINANCE)
    await bot.say(ALICE, "/lang zh", chat=FINANCE)
    await bot.say(ALICE, "/lang zh")
    assert "每天 08:00 → Finance · 下次：11月24日 周二 08:00（明天）" in await bot.say(
        ALICE, "/digest 财务 8点"
    )
    assert "下次：已暂停" in await bot.say(ALICE, "/digest 财务 关闭")
    await bot.say(ALICE, "/digest 财务 开启")
    await bot.say(ALICE, REFUNDS[0])
    await advance(bot, clock, timedelta(hours=22))
    table = await sent_file(bot, FINANCE)
    rows = rows_of(table)
    headers = [
        "旺旺名",
        "实名",
        "支付宝账号",
        "金额",
        "退款原因",
        "运费承担",
        "退货物流单号",
        "运费险",
        "订单号",
    ]
    assert rows[0] == [*headers, "记录编号", "此前已退款记录"]
    assert rows[1][:6] == ["tb_lee", "李雷", "lee@163.com", 12.5, "破损", "卖家承担"]
    assert "💰 2026-11-23 的退款表：1 笔，合计 ¥12.50。" in table.params["caption"]
    await posted(bot, FINANCE, "💰 待财务处理的退款：1 笔。")
    rows[0].append("结果")
    rows[1].append("驳回 金额不对")
    reply = await bot.send(ALICE, None, chat=FINANCE, document=("退款.xlsx", xlsx(rows)), caption="已处理")
    assert "✅ 已记录：已打款 0 笔，驳回 1 笔。之前已处理：0 笔。未填写：0 行。" in joined(reply)
    await posted(bot, TEAM, "❌ 财务（@alice）驳回了 R-1：金额不对")
