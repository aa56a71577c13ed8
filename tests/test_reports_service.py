"""Reports, charts and exports as services, on SQLite and PostgreSQL: periods in the shop's zone, counts,
money, repeat claimants, medians of alarm lateness and time to resolve, chart data, PNGs, masked exports."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook
from PIL import Image

from bot.enums import RecordKind
from bot.i18n import translator
from bot.models import AuditEntry, Occurrence, Person, Record, Schedule
from bot.services.errors import UserError
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.reports import charts, exports, text
from bot.services.reports import figures as reports
from bot.services.team import rules
from bot.services.team.rules import Rules
from bot.services.when import Period, read_period

SHOP = ZoneInfo("Asia/Shanghai")
ALICE, BOB = 101, 102
TEAM = -1001001
EN, ZH = translator("en"), translator("zh_CN")
PNG = b"\x89PNG\r\n\x1a\n"
NOV_30_LATE = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)  # 23:59 on 30 November in Shanghai
DEC_1_EARLY = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 00:00 on 1 December in Shanghai
PERSONAL = 'name=张三 phone=13812345678 alipay=lee@163.com address="浙江省杭州市西湖区文三路100号"'
PAYEE = "name=李雷 alipay=lee@163.com postage=shop"
"""With a reason and a buyer, what finance needs: a refund without it is a draft that cannot be sent."""


def at(moment: datetime) -> time_machine.travel:
    """Freeze the clock, so records get the creation time a test needs."""
    return time_machine.travel(moment, tick=False)


async def log(kind: RecordKind, words: str, moment: datetime, author: int = ALICE) -> Record:
    """Log a record at a given instant, as the command would."""
    with at(moment):
        draft = records.parse(kind, rf.split_words(words), Rules())
        created = await records.create(
            draft, author_id=author, chat_id=TEAM, rules=Rules(), now=moment, force=True
        )
    assert created.record is not None
    return created.record


async def move(record: Record, moment: datetime, *statuses: str) -> None:
    """Press status buttons at a given instant."""
    with at(moment):
        for status in statuses:
            await records.change_status(record, status, actor_id=BOB, chat_id=TEAM)


async def alarm(
    due: datetime, acked_after: timedelta | None, *, kind: str = "shelf", state: str = "sent"
) -> None:
    """One alarm posting, marked done some time after it fell due (or never)."""
    schedule = await Schedule.create(
        kind=kind, chat_id=TEAM, owner_id=ALICE, rule={}, timezone=SHOP.key, text="换链接"
    )
    await Occurrence.create(
        schedule=schedule,
        due_at=due,
        kind="alarm",
        state=state,
        chat_id=TEAM,
        acked_by=BOB if acked_after is not None else None,
        acked_at=due + acked_after if acked_after is not None else None,
        outcome="done" if acked_after is not None else None,
    )


def december() -> Period:
    """The month most tests look at."""
    return read_period("2026-12", DEC_1_EARLY, SHOP)


# ------------------------------------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("word", "first", "stop"),
    [
        ("today", "2026-12-01", "2026-12-02"),
        ("今天", "2026-12-01", "2026-12-02"),
        ("week", "2026-11-30", "2026-12-07"),
        ("本周", "2026-11-30", "2026-12-07"),
        ("month", "2026-12-01", "2027-01-01"),
        ("本月", "2026-12-01", "2027-01-01"),
        ("2026-02", "2026-02-01", "2026-03-01"),
        ("2026年2月", "2026-02-01", "2026-03-01"),
        (None, "2026-12-01", "2026-12-02"),
    ],
)
def test_periods_are_shop_local_days(word: str | None, first: str, stop: str) -> None:
    period = read_period(word, DEC_1_EARLY + timedelta(hours=1), SHOP)  # 01:00 on Tuesday 1 December locally
    assert (period.first.isoformat(), period.stop.isoformat()) == (first, stop)
    assert period.start.astimezone(UTC) == datetime.fromisoformat(first).replace(tzinfo=SHOP).astimezone(UTC)


def test_a_period_starts_at_local_midnight_which_is_the_evening_before_in_utc() -> None:
    period = read_period("today", DEC_1_EARLY, SHOP)
    assert period.start == DEC_1_EARLY and period.end == DEC_1_EARLY + timedelta(days=1)
    assert period.label == "2026-12-01" and december().label == "2026-12-01 – 2026-12-31"


@pytest.mark.parametrize("word", ["yesterday-ish", "2026-13", "1999-05", "month2"])
def test_unknown_periods_are_refused(word: str) -> None:
    with pytest.raises(UserError):
        read_period(word, DEC_1_EARLY, SHOP)


# ------------------------------------------------------------------------------------------------- report


@pytest.mark.usefixtures("database")
async def test_report_counts_money_claimants_and_respects_the_shop_day() -> None:
    rules.forget_cache()
    outside = await log(RecordKind.REFUND, f"123456789012345001 99 damaged buyer=tb_lee {PAYEE}", NOV_30_LATE)
    first = await log(
        RecordKind.REFUND, f"123456789012345002 12.50 damaged buyer=tb_lee {PAYEE}", DEC_1_EARLY
    )
    second = await log(
        RecordKind.REFUND, f"123456789012345003 3.30 broken buyer=tb_lee {PAYEE}", DEC_1_EARLY, BOB
    )
    await log(RecordKind.REFUND, "123456789012345004 7 size buyer=tb_wang", DEC_1_EARLY, BOB)
    await log(RecordKind.COMPLAINT, "123456789012345005 damaged cup broken buyer=tb_lee", DEC_1_EARLY)
    voided = await log(RecordKind.COMPLAINT, "123456789012345006 wrong buyer=tb_wang typo", DEC_1_EARLY)
    await records.void(voided, "typed twice", actor_id=ALICE, chat_id=TEAM)
    await log(RecordKind.COURIER, "SF1234567890 overdue", DEC_1_EARLY)
    later = DEC_1_EARLY + timedelta(hours=2)
    await move(first, later, "sent", "paid")
    await move(second, later, "sent", "paid")
    await move(outside, later, "sent", "paid")

    report = await reports.build(december())
    assert report.total == 6
    assert report.by_kind_status == {
        RecordKind.REFUND: {"paid": 2, "draft": 1},
        RecordKind.COMPLAINT: {"new": 1, "void": 1},
        RecordKind.COURIER: {"open": 1},
    }
    assert report.by_agent == [(ALICE, 4), (BOB, 2)] and report.agents == 2
    assert report.refunded == Decimal("15.80") and report.refunds_paid == 2
    assert report.claimants == [("tb_lee", 3)]  # tb_wang's void complaint does not count

    november = await reports.build(read_period("2026-11", DEC_1_EARLY, SHOP))
    assert november.total == 1 and november.refunded == Decimal("99.00")


@pytest.mark.usefixtures("database")
async def test_medians_of_time_to_resolve_and_alarm_lateness() -> None:
    start = DEC_1_EARLY + timedelta(hours=1)
    for hours in (1, 3, 8):
        refund = await log(RecordKind.REFUND, f"12345678901234500{hours} 5 damaged buyer=tb_x {PAYEE}", start)
        await move(refund, start + timedelta(minutes=30), "sent")
        await move(refund, start + timedelta(hours=hours), "paid")
    review = await log(RecordKind.REVIEW, "123456789012345009 tb_lee negative", start)
    await move(review, start + timedelta(hours=5), "revised")
    rejected = await log(RecordKind.REFUND, f"123456789012345010 5 damaged buyer=tb_x {PAYEE}", start)
    await move(rejected, start + timedelta(hours=1), "sent", "rejected")  # not final: it can be sent again

    await alarm(start, timedelta(minutes=2))
    await alarm(start, timedelta(minutes=10))
    await alarm(start, None)
    await alarm(start, None, state="missed")
    await alarm(start, timedelta(minutes=1), kind="refund_watch")  # watches have no Done button: not counted
    await alarm(DEC_1_EARLY - timedelta(minutes=1), timedelta(minutes=1))  # due in November

    report = await reports.build(december())
    assert report.resolved == 4
    assert report.resolution_median == pytest.approx(4 * 3600)  # 1, 3, 5, 8 hours: between 3 and 5
    assert (report.alarms, report.acked) == (4, 2) and report.ack_rate == 0.5
    assert report.ack_median == pytest.approx(6 * 60)
    assert await reports.alarm_lateness(december()) == [0, 1, 0, 1, 0, 2]

    english = text.render(EN, report, {})
    assert "Alarms: 2 of 4 marked done (50%), median 6 min after due" in english
    assert "Time to resolve: median 4.0 h (4 records reached their final status)" in english


@pytest.mark.usefixtures("database")
async def test_an_empty_period_reports_zeros_without_failing() -> None:
    report = await reports.build(december())
    assert (report.total, report.refunded, report.claimants, report.alarms) == (0, Decimal("0.00"), [], 0)
    assert report.resolution_median is None and report.ack_median is None
    rendered = text.render(EN, report, {})
    assert "Records logged: 0" in rendered and "Time to resolve: median n/a" in rendered


@pytest.mark.usefixtures("database")
async def test_report_text_names_agents_and_lists_statuses_in_flow_order() -> None:
    refund = await log(
        RecordKind.REFUND, f"123456789012345001 12.5 damaged buyer=tb_lee {PAYEE}", DEC_1_EARLY
    )
    await log(RecordKind.REFUND, "123456789012345002 2 buyer=tb_lee", DEC_1_EARLY)
    await move(refund, DEC_1_EARLY + timedelta(hours=1), "sent", "paid")
    await Person.create(id=ALICE, username="alice", first_name="Alice")
    report = await reports.build(december())
    rendered = text.render(EN, report, await reports.names([ALICE])).splitlines()
    assert rendered[:3] == [
        "📊 Report December 2026",
        "Records logged: 2",
        "• Refund 2: draft 1, paid 1",
    ]
    assert "Refunded (marked paid): ¥12.50 in 1 refunds" in rendered
    assert "By agent: @alice 2" in rendered and "Repeat claimants: tb_lee 2" in rendered


# ------------------------------------------------------------------------------------------------- charts


@pytest.mark.usefixtures("database")
async def test_refunds_per_day_are_counted_by_the_shop_day_and_reason() -> None:
    await log(RecordKind.REFUND, "123456789012345001 5 damaged", NOV_30_LATE)
    await log(RecordKind.REFUND, "123456789012345002 5 damaged", DEC_1_EARLY)
    await log(RecordKind.REFUND, "123456789012345003 5 破损", DEC_1_EARLY + timedelta(hours=23, minutes=59))
    await log(RecordKind.REFUND, "123456789012345004 5", DEC_1_EARLY + timedelta(days=1))
    daily = await reports.refunds_per_day(december())
    assert len(daily.days) == 31 and daily.total == 3
    assert {reason: values[:3] for reason, values in daily.series.items()} == {
        "damaged": [2, 0, 0],  # 破损 is damaged: one reason, whichever language it was typed in
        "": [0, 1, 0],
    }


@pytest.mark.usefixtures("database")
async def test_complaints_by_kind() -> None:
    for n, kind in enumerate(("damaged", "missing", "damaged")):
        await log(RecordKind.COMPLAINT, f"12345678901234500{n} {kind} text", DEC_1_EARLY)
    assert await reports.complaints_by_kind(december()) == {"damaged": 2, "missing": 1}


def png_checked(data: bytes) -> tuple[int, int]:
    """A real PNG: the signature, and Pillow can open it."""
    assert data.startswith(PNG)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
        return image.size


@pytest.mark.parametrize("t", [EN, ZH], ids=["en", "zh"])
def test_charts_are_pngs_with_every_glyph_in_either_language(t: object) -> None:
    period = read_period("2026-12", DEC_1_EARLY, SHOP)
    daily = reports.DailyCounts(period.days, {"破损": [1] * 31, "damaged": [2] * 31, "": [0] * 31})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = [
            charts.refunds(t, daily, period),  # type: ignore[arg-type]
            charts.complaints(t, {"damaged": 2, "missing": 1}, period),  # type: ignore[arg-type]
            charts.alarms(t, [1, 2, 0, 1, 0, 3], period),  # type: ignore[arg-type]
        ]
    assert not [
        str(w.message)
        for w in caught
        if "missing from font" in str(w.message).lower() or "Glyph" in str(w.message)
    ]
    assert all(png_checked(png) == (1200, 750) for png in drawn)


def test_chart_names_in_both_languages() -> None:
    assert [charts.parse(word) for word in ("refunds", "退款", "投诉", "闹钟")] == [
        charts.REFUNDS,
        charts.REFUNDS,
        charts.COMPLAINTS,
        charts.ALARMS,
    ]
    with pytest.raises(UserError):
        charts.parse("sales")


# ------------------------------------------------------------------------------------------------ exports


def request(words: str) -> exports.Request:
    """An export request as typed after /export."""
    return exports.parse(words.split(), DEC_1_EARLY, SHOP)


def test_export_words_in_either_language() -> None:
    assert request("refund") == exports.Request(RecordKind.REFUND, december(), "xlsx")
    assert request("退款 本月 csv") == exports.Request(RecordKind.REFUND, december(), "csv")
    assert request("全部 2026-11").kind is None and request("all csv today").fmt == "csv"
    assert request("complaint week").filename == "complaint-2026-11-30_2026-12-06.xlsx"
    for bad in ("", "sales month", "refund month week", "refund soon"):
        with pytest.raises(UserError):
            request(bad)


def sheet_rows(data: bytes) -> list[tuple[object, ...]]:
    """The first sheet of an xlsx file, as openpyxl reads it."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


@pytest.mark.usefixtures("database")
async def test_refund_export_masks_personal_data_unless_the_role_may_see_it() -> None:
    await Person.create(id=ALICE, username="alice", first_name="Alice")
    refund = await log(
        RecordKind.REFUND,
        f"123456789012345001 12.5 破损 buyer=tb_lee {PERSONAL} postage=shop insured=yes tracking=YT12345678",
        DEC_1_EARLY + timedelta(hours=9, minutes=5),
    )
    await move(refund, DEC_1_EARLY + timedelta(hours=10), "sent")
    full = sheet_rows(await exports.build(EN, request("refund"), masked=False))
    assert full[0] == (
        "id", "logged at", "logged by", "status", "order", "amount", "buyer", "name", "Alipay", "phone",
        "address", "reason", "postage", "tracking", "insurance",
    )  # fmt: skip
    assert full[1] == (
        "R-1", datetime(2026, 12, 1, 9, 5), "@alice", "sent to finance", "123456789012345001", 12.5, "tb_lee",
        "张三", "lee@163.com", "13812345678", "浙江省杭州市西湖区文三路100号", "破损", "shop pays",
        "YT12345678", "yes",
    )  # fmt: skip
    masked = sheet_rows(await exports.build(EN, request("refund"), masked=True))
    assert masked[1][7:11] == ("张*", "l***@163.com", "138****5678", "浙江省杭州市****")
    for secret in ("张三", "13812345678", "lee@163.com", "西湖区"):
        assert all(secret not in str(cell) for row in masked for cell in row)


@pytest.mark.usefixtures("database")
async def test_export_of_all_kinds_in_chinese_as_csv_in_order_of_logging() -> None:
    await log(
        RecordKind.COURIER, "SF1234567890 改地址 原地址=上海市浦东新区世纪大道1号 新地址=北京市", DEC_1_EARLY
    )
    await log(RecordKind.COMPLAINT, "123456789012345001 破损 杯子碎了 补偿=小礼物", DEC_1_EARLY)
    await log(RecordKind.REFUND, "123456789012345002 3", NOV_30_LATE)  # November: not in the file
    data = await exports.build(ZH, request("全部 本月 csv"), masked=True)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("K-1,") and lines[2].startswith("C-1,")
    assert "上海市浦东新****" in lines[1] and "世纪大道" not in lines[1]
    assert await exports.count(request("all csv")) == 2


@pytest.mark.usefixtures("database")
async def test_export_reads_in_chunks_and_loses_no_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "CHUNK", 3)
    for n in range(8):
        await log(RecordKind.PROBLEM, f"12345678901234{n:04d} 缺货", DEC_1_EARLY + timedelta(minutes=n))
    sizes = [len(chunk) async for chunk in exports.chunks(request("problem"))]
    assert sizes == [3, 3, 2]
    rows = sheet_rows(await exports.build(EN, request("problem"), masked=False))
    assert [row[0] for row in rows[1:]] == [f"P-{n}" for n in range(1, 9)]
    assert rows[1][4] == "out of stock"


@pytest.mark.usefixtures("database")
async def test_an_export_is_audited() -> None:
    await exports.log(request("refund"), actor_id=ALICE, chat_id=TEAM, rows=3, masked=True)
    entry = await AuditEntry.get(action="export")
    assert entry.target == "refund-2026-12-01_2026-12-31.xlsx" and entry.after == {"rows": 3, "masked": True}
