"""The digests services on SQLite and PostgreSQL: digest schedules per registered chat, /digest times and
off/on, what each digest contains, and finance's answers read from a returned table (all or nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.enums import ChatPurpose, RecordKind
from bot.i18n import translator
from bot.models import AuditEntry, Chat, Record, RecordEvent, Schedule
from bot.services.digests import content, finance_answers
from bot.services.digests import settings as digests
from bot.services.digests.finance_answers import PAID, REJECTED, TableError
from bot.services.errors import UserError
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.scheduling import schedules
from bot.services.team import rules
from bot.services.when import Interval, Recurring, Rule, WorkingDays
from tests.shop_clock import FINANCE_COLUMNS

pytestmark = pytest.mark.usefixtures("database")

ALICE, BOB = 101, 102
TEAM, FINANCE, FINANCE_2, WAREHOUSE = -1001001, -1001003, -1001009, -1001004
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Shanghai."""
ORDER, OTHER = "123456789012345678", "223456789012345678"
EN = translator("en")
ZH = translator("zh_CN")
PAYEE = "buyer=tb_lee name=李雷 alipay=lee@163.com postage=shop"
"""With a reason, what finance needs to pay a refund: without it a refund is a draft finance never gets."""


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall time in November 2026, as a UTC instant."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def chat(chat_id: int, purpose: ChatPurpose | None, title: str = "group") -> Chat:
    """A group as /setup leaves it."""
    return await Chat.create(id=chat_id, type="supergroup", title=title, purpose=purpose)


async def log(kind: RecordKind, text: str, *, at: datetime, photo: str | None = None) -> Record:
    """A record logged at a given instant."""
    team_rules = await rules.current()
    created = await records.create(
        records.parse(kind, rf.split_words(text), team_rules, photo),
        author_id=ALICE,
        chat_id=TEAM,
        rules=team_rules,
        now=at,
        force=True,
    )
    assert created.record is not None
    await Record.filter(id=created.record.id).update(created_at=at)
    return await Record.get(id=created.record.id)


# ------------------------------------------------------------------------------------ schedules and /digest


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("finance", "finance"),
        ("财务", "finance"),
        ("仓库", "warehouse"),
        ("主管", "supervisors"),
        ("Supervisor", "supervisors"),
    ],
)
async def test_digest_names_in_english_and_chinese(typed: str, name: str) -> None:
    assert digests.parse_name(typed) == name


async def test_unknown_digest_name_lists_the_names() -> None:
    with pytest.raises(UserError) as caught:
        digests.parse_name("boss")
    assert "finance 财务" in caught.value.message


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("08:30", Recurring(time(8, 30))),
        ("8点半", Recurring(time(8, 30))),
        ("every 3h from 09:00 to 18:00", Interval(180, time(9), time(18))),
        ("每3小时 9点到18点", Interval(180, time(9), time(18))),
        ("every weekday 08:00", Recurring(time(8), WorkingDays())),
        ("工作日八点半", Recurring(time(8, 30), WorkingDays())),
    ],
)
async def test_digest_times(typed: str, rule: Rule) -> None:
    assert digests.parse_rule(typed.split(), NOW, SHANGHAI).rule == rule


async def test_a_digest_at_an_hour_that_may_be_night_is_asked_about() -> None:
    reading = digests.parse_rule(["每天3点"], NOW, SHANGHAI)
    assert reading.needs_confirmation and reading.alternatives == (Recurring(time(15)),)


@pytest.mark.parametrize(
    ("typed", "problem"), [("in 5m", "A digest repeats"), ("08:30 please", "can't read")]
)
async def test_bad_digest_times(typed: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        digests.parse_rule(typed.split(), NOW, SHANGHAI)
    assert problem in caught.value.message


async def test_a_registered_chat_gets_its_digest_once_with_the_default_time() -> None:
    await chat(FINANCE, ChatPurpose.FINANCE)
    [created] = await digests.ensure(FINANCE, ChatPurpose.FINANCE, actor_id=ALICE, zone=SHANGHAI, now=NOW)
    assert (created.ref, created.chat_id, created.next_due_at) == ("finance", FINANCE, local(24, 8, 30))
    assert await digests.ensure(FINANCE, ChatPurpose.FINANCE, actor_id=ALICE, zone=SHANGHAI, now=NOW) == []
    assert await digests.ensure_registered(actor_id=ALICE, zone=SHANGHAI, now=NOW) == []
    assert await Schedule.filter(kind=digests.KIND).count() == 1


async def test_start_up_gives_digests_to_chats_registered_before() -> None:
    await chat(FINANCE, ChatPurpose.FINANCE)
    await chat(WAREHOUSE, ChatPurpose.WAREHOUSE)
    await chat(TEAM, ChatPurpose.TEAM)
    created = await digests.ensure_registered(actor_id=ALICE, zone=SHANGHAI, now=NOW)
    assert sorted((s.ref, s.next_due_at) for s in created) == [
        ("finance", local(24, 8, 30)),
        ("warehouse", local(23, 18)),
    ]


async def test_a_second_chat_takes_the_time_set_and_a_changed_purpose_ends_the_digest() -> None:
    await chat(FINANCE, ChatPurpose.FINANCE)
    await chat(FINANCE_2, ChatPurpose.FINANCE)
    await digests.ensure(FINANCE, ChatPurpose.FINANCE, actor_id=ALICE, zone=SHANGHAI, now=NOW)
    await digests.retime(
        "finance", digests.parse_rule(["07:45"], NOW, SHANGHAI).rule, actor_id=ALICE, now=NOW
    )
    await digests.switch("finance", False, actor_id=ALICE, now=NOW)
    [second] = await digests.ensure(FINANCE_2, ChatPurpose.FINANCE, actor_id=ALICE, zone=SHANGHAI, now=NOW)
    assert second.rule == {"kind": "weekly", "at": "07:45", "days": list(range(7))}
    assert second.state == schedules.PAUSED
    assert await digests.ensure(FINANCE, ChatPurpose.TEAM, actor_id=ALICE, zone=SHANGHAI, now=NOW) == []
    assert [s.chat_id for s in await digests.of_name("finance")] == [FINANCE_2]


async def test_retime_and_switch_apply_to_every_chat_and_are_audited() -> None:
    await chat(FINANCE, ChatPurpose.FINANCE)
    await digests.ensure(FINANCE, ChatPurpose.FINANCE, actor_id=ALICE, zone=SHANGHAI, now=NOW)
    [moved] = await digests.retime("finance", Interval(120, time(9), time(17)), actor_id=BOB, now=NOW)
    assert moved.next_due_at == local(23, 11)
    [off] = await digests.switch("finance", False, actor_id=BOB, now=NOW)
    assert (off.state, off.next_due_at) == (schedules.PAUSED, local(23, 11))
    [on] = await digests.switch("finance", True, actor_id=BOB, now=NOW + timedelta(hours=2))
    assert (on.state, on.next_due_at) == (schedules.ACTIVE, local(23, 13))
    actions = await AuditEntry.filter(actor_id=BOB).order_by("id").values_list("action", flat=True)
    assert actions == ["digest.time", "schedule.state", "schedule.state"]


async def test_changing_a_digest_nobody_gets_says_how_to_register() -> None:
    with pytest.raises(UserError) as caught:
        await digests.switch("warehouse", False, actor_id=ALICE, now=NOW)
    assert caught.value.params == {"purpose": "warehouse"}


# ------------------------------------------------------------------------------------------------ content


async def test_finance_table_is_yesterdays_refunds_and_older_ones_never_sent_but_no_draft() -> None:
    old_new = await log(RecordKind.REFUND, f"{OTHER} 3 old {PAYEE}", at=local(20, 11))
    old_sent = await log(RecordKind.REFUND, f"{OTHER} 4 older {PAYEE}", at=local(20, 12))
    await records.change_status(old_sent, "sent", actor_id=ALICE, chat_id=TEAM)
    await log(RecordKind.REFUND, f"{OTHER} 6 no-payee", at=local(20, 13))
    first = await log(RecordKind.REFUND, f"{ORDER} 12.5 damaged {PAYEE}", at=local(22, 0, 0))
    last = await log(RecordKind.REFUND, f"{ORDER} 5 late {PAYEE}", at=local(22, 23, 59))
    await log(RecordKind.REFUND, f"{ORDER} 7 no-payee buyer=tb_sun", at=local(22, 13))
    voided = await log(RecordKind.REFUND, f"{ORDER} 1 typo {PAYEE}", at=local(22, 12))
    await records.void(voided, "typo", actor_id=ALICE, chat_id=TEAM)
    await log(RecordKind.REFUND, f"{ORDER} 9 today {PAYEE}", at=local(23, 0, 1))
    await log(RecordKind.COMPLAINT, f"{ORDER} damaged cup broken", at=local(22, 12))
    day = content.previous_day(local(23, 8, 30), SHANGHAI)
    assert day == date(2026, 11, 22)
    found = await content.finance_refunds(day, SHANGHAI)
    assert [r.id for r in found] == [old_new.id, first.id, last.id]
    assert content.total(found) == Decimal("20.50")


async def test_finance_row_has_exactly_the_columns_finance_checks() -> None:
    refund = await log(
        RecordKind.REFUND,
        f"{ORDER} 12.5 破损 buyer=tb_Lee name=李雷 alipay=lee@163.com postage=shop tracking=YT1234567890 "
        "insured=yes",
        at=local(22, 9),
    )
    assert content.finance_headers(EN) == FINANCE_COLUMNS
    assert content.finance_row(EN, refund) == [
        "tb_lee",
        "李雷",
        "lee@163.com",
        Decimal("12.50"),
        "破损",
        "shop pays",
        "YT1234567890",
        "yes",
        ORDER,
        "R-1",
        None,
    ]


async def test_a_repeat_refund_says_so_in_finances_table_and_list() -> None:
    paid = await log(RecordKind.REFUND, f"{ORDER} 12.5 破损 {PAYEE}", at=local(21, 9))
    await records.change_status(paid, "sent", actor_id=ALICE, chat_id=TEAM)
    await records.change_status(paid, "paid", actor_id=BOB, chat_id=FINANCE)
    again = await log(RecordKind.REFUND, f"{ORDER} 12.5 破损 {PAYEE}", at=local(22, 9))
    assert content.finance_row(EN, again)[-2:] == ["R-2", "R-1"]
    assert content.refund_line(EN, again) == (
        "R-2 · ¥12.50 · tb_lee · 李* · l***@163.com · ⚠️ order already refunded in R-1"
    )


async def test_sending_to_finance_moves_new_refunds_only() -> None:
    fresh = await log(RecordKind.REFUND, f"{ORDER} 2 damaged {PAYEE}", at=local(22, 9))
    paid = await log(RecordKind.REFUND, f"{OTHER} 3 damaged {PAYEE}", at=local(22, 9))
    await records.change_status(paid, "sent", actor_id=ALICE, chat_id=TEAM)
    await records.change_status(paid, "paid", actor_id=BOB, chat_id=FINANCE)
    await content.send_to_finance([fresh, paid], actor_id=999, chat_id=FINANCE)
    assert [r.status for r in await Record.filter(id__in=[fresh.id, paid.id]).order_by("id")] == [
        "sent",
        "paid",
    ]
    assert await RecordEvent.filter(record_id=fresh.id, actor_id=999, action="status").count() == 1
    waiting = await content.waiting_for_finance(1)
    assert ([r.id for r in waiting.records], waiting.pages) == ([fresh.id], 1)


async def test_finance_list_pages() -> None:
    for index in range(content.LIST_PAGE + 2):
        refund = await log(RecordKind.REFUND, f"{ORDER} {index + 1} damaged {PAYEE}", at=local(22, 9))
        await records.change_status(refund, "sent", actor_id=ALICE, chat_id=TEAM)
    last = await content.waiting_for_finance(9)
    assert (last.page, last.pages, [r.number for r in last.records]) == (2, 2, [6, 7])


async def forward(record: Record, *, at: datetime, to: tuple[str, ...] = ("supervisor", "warehouse")) -> None:
    """Route a slip as supervisors do, at a given instant."""
    for status in to:
        await records.change_status(record, status, actor_id=ALICE, chat_id=TEAM)
    await RecordEvent.filter(record_id=record.id, action="status").update(at=at)


async def test_complaint_slips_forwarded_in_the_24_hours_grouped_by_kind() -> None:
    early = await log(RecordKind.COMPLAINT, f"{ORDER} damaged too early", at=local(22, 16))
    await forward(early, at=local(22, 17))
    late = await log(RecordKind.COMPLAINT, f"{ORDER} quality 起球", at=local(22, 21))
    await forward(late, at=local(23, 8))
    damaged = await log(
        RecordKind.COMPLAINT, f"{OTHER} 破损 杯子碎了 offer=gift", at=local(23, 9), photo="ph-1"
    )
    await forward(damaged, at=local(23, 10))
    await log(RecordKind.COMPLAINT, f"{OTHER} wrong nobody saw it", at=local(23, 11))
    seen = await log(RecordKind.COMPLAINT, f"{OTHER} missing a supervisor has it", at=local(23, 12))
    await forward(seen, at=local(23, 13), to=("supervisor",))
    found = await content.complaint_slips(local(23, 18))
    groups = content.by_subkind(RecordKind.COMPLAINT, found)
    assert [(kind, [r.id for r in group]) for kind, group in groups] == [
        ("damaged", [damaged.id]),
        ("quality", [late.id]),
    ]
    assert (
        content.complaint_line(EN, damaged)
        == "C-3 · 223456789012345678 · 杯子碎了 · offer: small gift next order · photos: 1"
    )
    assert content.photos_of(damaged) == ["ph-1"]


async def test_open_problems_oldest_first_with_their_age() -> None:
    fixed = await log(RecordKind.PROBLEM, f"{ORDER} out-of-stock", at=local(20, 9))
    await records.change_status(fixed, "fixed", actor_id=ALICE, chat_id=TEAM)
    older = await log(RecordKind.PROBLEM, f"{ORDER} 缺货 蓝色M", at=local(21, 9))
    newer = await log(RecordKind.PROBLEM, f"{OTHER} 地址不清", at=local(23, 9, 20))
    found = await content.open_problems()
    assert [r.id for r in found] == [older.id, newer.id]
    assert content.problem_line(EN, older, NOW, SHANGHAI) == f"P-2 · {ORDER} · 11-21 09:00 (2 d 1 h) · 蓝色M"
    assert content.problem_line(ZH, newer, NOW, SHANGHAI).endswith("(40 分钟)")


# ---------------------------------------------------------------------------------------- finance answers


@pytest.mark.parametrize(
    ("cell", "answer"),
    [
        ("paid", (PAID, None)),
        ("Paid ", (PAID, None)),
        ("已打款", (PAID, None)),
        ("rejected: wrong Alipay account", (REJECTED, "wrong Alipay account")),
        ("驳回：支付宝不对", (REJECTED, "支付宝不对")),
        ("驳回支付宝不对", (REJECTED, "支付宝不对")),
        ("", None),
    ],
)
async def test_result_cells(cell: str, answer: tuple[str, str | None] | None) -> None:
    assert finance_answers.parse_answer(cell) == answer


@pytest.mark.parametrize(
    ("cell", "problem"), [("rejected", "needs a reason"), ("payment", "is not paid or rejected")]
)
async def test_bad_result_cells(cell: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        finance_answers.parse_answer(cell)
    assert problem in caught.value.message


async def sent_refunds() -> list[Record]:
    """Two refunds waiting for finance."""
    found = [
        await log(RecordKind.REFUND, f"{ORDER} 12.5 damaged {PAYEE}", at=local(22, 9)),
        await log(RecordKind.REFUND, f"{OTHER} 3 damaged {PAYEE}", at=local(22, 10)),
    ]
    await content.send_to_finance(found, actor_id=999, chat_id=FINANCE)
    return [await Record.get(id=r.id) for r in found]


def returned(
    rows: list[list[str]], *, header: list[str] | None = None, result: str = "result"
) -> list[list[str]]:
    """A returned table as read_table gives it: the header row, then rows with the result last."""
    head = header or content.finance_headers(EN)
    blank = [""] * 4  # reason, postage, tracking and insurance, as finance left them
    cells = [["tb", "", "", "1", *blank, order, short_id, "", answer] for order, short_id, answer in rows]
    return [[*head, result], *cells]


async def test_a_returned_table_is_applied_with_history_and_audit() -> None:
    _, second = await sent_refunds()
    table = returned(
        [[ORDER, "R-1", "已打款"], [OTHER, "r2", "驳回：支付宝不对"]],
        header=content.finance_headers(ZH),
        result="结果",
    )
    reading = await finance_answers.read(table)
    applied = await finance_answers.apply(reading, actor_id=BOB, chat_id=FINANCE)
    assert [(a.row, a.record.short_id, a.status, a.reason) for a in applied] == [
        (2, "R-1", PAID, None),
        (3, "R-2", REJECTED, "支付宝不对"),
    ]
    assert [r.status for r in await Record.filter(kind=RecordKind.REFUND).order_by("id")] == [PAID, REJECTED]
    event = await RecordEvent.filter(record_id=second.id, action="status", actor_id=BOB).get()
    assert event.after == {"status": REJECTED, "reason": "支付宝不对"}
    audit = await AuditEntry.filter(actor_id=BOB, target="R-2").get()
    assert (audit.action, audit.after) == ("record.status", {"status": REJECTED, "reason": "支付宝不对"})
    again = await finance_answers.read(table)
    assert (again.answers, again.unchanged) == ([], 2)


async def test_an_extra_column_without_a_title_is_the_result() -> None:
    await sent_refunds()
    reading = await finance_answers.read(
        returned([[ORDER, "R-1", "paid"], [OTHER, "R-2", ""]], result="财务意见")
    )
    assert ([a.record.short_id for a in reading.answers], reading.blank) == (["R-1"], 1)


async def test_a_table_with_missing_columns_changes_nothing() -> None:
    await sent_refunds()
    header = [h for h in content.finance_headers(EN) if h != "order number"]
    table = [[*header, "note", "remark"], ["tb", "", "", "1", "", "", "", "R-1", "paid", ""]]
    with pytest.raises(TableError) as caught:
        await finance_answers.read(table)
    problems = [(p.row, p.error.message, p.error.params) for p in caught.value.problems]
    assert problems == [
        (1, "The header row lacks the column “{column}”.", {"column": "order number"}),
        (1, "Add a column “{column}” with paid or rejected + reason.", {"column": "result"}),
    ]


async def test_every_bad_row_is_listed_and_nothing_is_changed() -> None:
    await sent_refunds()
    complaint = await log(RecordKind.COMPLAINT, f"{ORDER} damaged cup broken", at=local(22, 9))
    table = returned(
        [
            [ORDER, "R-1", "paid"],
            [ORDER, "R-99", "paid"],
            [ORDER, complaint.short_id, "paid"],
            [ORDER, "R-2", "paid"],
            [OTHER, "R-1", "rejected: twice"],
            [OTHER, "", "paid"],
            [OTHER, "R-2", "maybe"],
        ]
    )
    with pytest.raises(TableError) as caught:
        await finance_answers.read(table)
    assert [(p.row, p.error.message.split(" ")[0]) for p in caught.value.problems] == [
        (3, "There"),
        (4, "{id}"),
        (5, "The"),
        (6, "{id}"),
        (7, "The"),
        (8, "“{value}”"),
    ]
    assert [r.status for r in await Record.filter(kind=RecordKind.REFUND).order_by("id")] == ["sent", "sent"]


async def test_an_answer_that_cannot_apply_any_more_rolls_back_the_whole_file() -> None:
    first, second = await sent_refunds()
    reading = await finance_answers.read(returned([[ORDER, "R-1", "paid"], [OTHER, "R-2", "paid"]]))
    await records.change_status(second, REJECTED, actor_id=ALICE, chat_id=TEAM, reason="meanwhile")
    with pytest.raises(TableError) as caught:
        await finance_answers.apply(reading, actor_id=BOB, chat_id=FINANCE)
    assert [p.row for p in caught.value.problems] == [3]
    assert (await Record.get(id=first.id)).status == "sent"
    assert not await RecordEvent.exists(record_id=first.id, actor_id=BOB)


async def test_a_table_without_any_answer_says_so() -> None:
    await sent_refunds()
    with pytest.raises(TableError) as caught:
        await finance_answers.read(returned([[ORDER, "R-1", ""]]))
    assert "No row has a result" in caught.value.problems[0].error.message
