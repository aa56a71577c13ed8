"""The broadcast service: parsing options in English and Chinese, drafts, deciding once, delivery bookkeeping,
acknowledgements and who has not acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.enums import ChatPurpose, Role
from bot.models import AuditEntry, Broadcast, Chat, Person, RoleGrant, Schedule
from bot.services.broadcasts import announcements as broadcasts
from bot.services.errors import UserError
from bot.services.scheduling import deliveries, schedules

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
AUTHOR, OTHER, MANAGER = 11, 12, 13
TEAM_CHAT, FINANCE_CHAT = -501, -502
LEADS = frozenset({Role.SUPERVISOR})


def parse(args: str, quoted: broadcasts.Quoted | None = None) -> broadcasts.Request:
    """Parse at 10:00 shop time."""
    return broadcasts.parse(args, quoted, NOW, ZONE)


def test_options_first_then_the_text_as_typed() -> None:
    request = parse("to=finance pin silent at=14:30 Invoices:\n  due  Friday pin")
    assert request == broadcasts.Request(
        "finance", "Invoices:\n  due  Friday pin", None, True, True, datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    )


def test_chinese_options_and_defaults() -> None:
    request = parse("发给＝仓库 置顶 时间=14点30 明天发货")
    assert (request.target, request.pin, request.silent, request.body) == (
        "warehouse",
        True,
        False,
        "明天发货",
    )
    assert request.send_at == datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    assert parse("开会").target == "team" and parse("开会").send_at is None
    assert parse("发给=全部 开会").target == "all"


def test_a_time_already_past_today_is_tomorrow() -> None:
    assert parse("at=09:15 x").send_at == datetime(2026, 11, 24, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("", broadcasts.EMPTY),
        ("pin", broadcasts.EMPTY),
        ("to=mars hi", broadcasts.UNKNOWN_TARGET),
        ("to= hi", broadcasts.EMPTY_OPTION),
        ("at=1 at=2 hi", broadcasts.TWICE),
        ("size=L hi", broadcasts.UNKNOWN_OPTION),
        ("at=24:00 hi", broadcasts.BAD_TIME),
        ("at=每30分钟 hi", broadcasts.BAD_TIME),
        ("x" * (broadcasts.MAX_TEXT + 1), broadcasts.TOO_LONG),
    ],
)
def test_bad_input_names_the_problem(args: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse(args)
    assert caught.value.message == message


def test_a_replied_message_is_the_body() -> None:
    photo = parse("to=team", broadcasts.Quoted("caption", "FILE"))
    assert (photo.body, photo.photo) == ("caption", "FILE")
    assert parse("", broadcasts.Quoted("", "FILE")).photo == "FILE"
    for args, quoted, message in [
        ("hi", broadcasts.Quoted("text", None), broadcasts.REPLY_AND_TEXT),
        ("", broadcasts.Quoted("", None), broadcasts.NOT_SENDABLE),
        ("", broadcasts.Quoted("c" * (broadcasts.MAX_CAPTION + 1), "FILE"), broadcasts.TOO_LONG),
    ]:
        with pytest.raises(UserError) as caught:
            parse(args, quoted)
        assert caught.value.message == message


def test_subcommands() -> None:
    assert broadcasts.subcommand("list") == ("list", None)
    assert broadcasts.subcommand("取消 #4") == ("cancel", 4)
    assert broadcasts.subcommand("取消 今晚聚餐") is None  # an announcement that starts with a word
    assert broadcasts.subcommand("list of prices") is None


# ------------------------------------------------------------------------------------------ with storage


async def team_with_chats() -> list[Chat]:
    """Two registered groups, three people with roles."""
    team = await Chat.create(id=TEAM_CHAT, type="supergroup", title="Kefu", purpose=ChatPurpose.TEAM)
    await Chat.create(id=FINANCE_CHAT, type="supergroup", title="Money", purpose=ChatPurpose.FINANCE)
    await Chat.create(id=-503, type="supergroup", title="Unregistered")
    for person_id, name, role in [
        (AUTHOR, "author", Role.SUPERVISOR),
        (OTHER, "bob", Role.AFTERSALE),
        (MANAGER, "boss", Role.MANAGER),
        (14, "carol", Role.PRESALE),
    ]:
        await Person.create(id=person_id, first_name=name, username=name)
        await RoleGrant.create(person_id=person_id, role=role)
    return [team]


async def draft(args: str = "hello", to: list[Chat] | None = None) -> Broadcast:
    """A stored draft by the author."""
    request = parse(args)
    chats = to if to is not None else await broadcasts.targets(request.target)
    return await broadcasts.create(request, author_id=AUTHOR, chat_id=TEAM_CHAT, zone=ZONE, to=chats)


async def test_targets_are_registered_chats_of_the_purpose(database: str) -> None:
    await team_with_chats()
    assert [chat.title for chat in await broadcasts.targets("team")] == ["Kefu"]
    assert sorted(chat.title for chat in await broadcasts.targets("all")) == ["Kefu", "Money"]
    with pytest.raises(UserError) as caught:
        await broadcasts.targets("warehouse")
    assert caught.value.message == broadcasts.NO_CHATS


async def test_confirm_once(database: str) -> None:
    await team_with_chats()
    item = await draft()
    confirmed, schedule = await broadcasts.confirm(item.id, actor_id=MANAGER, now=NOW)
    assert confirmed.state == broadcasts.WAITING and schedule.next_due_at == NOW
    assert schedule.kind == broadcasts.KIND and schedule.escalate_minutes is None
    assert await broadcasts.of_schedule(schedule) == confirmed
    with pytest.raises(UserError) as caught:
        await broadcasts.confirm(item.id, actor_id=AUTHOR, now=NOW)
    assert caught.value.message == broadcasts.ALREADY
    assert await Schedule.filter(kind=broadcasts.KIND).count() == 1
    actions = await AuditEntry.filter(target=f"broadcast:{item.id}").values_list("action", flat=True)
    assert sorted(actions) == ["broadcast.confirm", "broadcast.create"]


async def test_a_scheduled_broadcast_is_cancelled_with_its_schedule(database: str) -> None:
    await team_with_chats()
    item = await draft("at=11:00 later")
    _, schedule = await broadcasts.confirm(item.id, actor_id=AUTHOR, now=NOW)
    assert schedule.next_due_at == NOW + timedelta(hours=1)
    assert [b.id for b in await broadcasts.scheduled()] == [item.id]
    cancelled, disarmed = await broadcasts.cancel(item.id, actor_id=AUTHOR, now=NOW)
    assert cancelled.state == broadcasts.CANCELLED and disarmed is not None
    assert (await Schedule.get(id=schedule.id)).state == schedules.DELETED
    assert await broadcasts.scheduled() == []
    with pytest.raises(UserError):
        await broadcasts.cancel(item.id, actor_id=AUTHOR, now=NOW)


async def test_confirming_a_time_that_has_passed_is_refused(database: str) -> None:
    await team_with_chats()
    item = await draft("at=10:30 soon")
    with pytest.raises(UserError) as caught:
        await broadcasts.confirm(item.id, actor_id=AUTHOR, now=NOW + timedelta(minutes=31))
    assert caught.value.message == broadcasts.TIME_PASSED
    assert (await broadcasts.get(item.id)).state == broadcasts.DRAFT


async def test_a_draft_keeps_its_chats_in_order(database: str) -> None:
    await team_with_chats()
    item = await draft("to=all everyone")
    listed = [broadcasts.TargetChat(chat.id, chat.title) for chat in await broadcasts.targets("all")]
    assert broadcasts.target_chats(await broadcasts.get(item.id)) == listed
    assert {chat.title for chat in listed} == {"Kefu", "Money"}


async def test_delivery_bookkeeping_and_one_close(database: str) -> None:
    await team_with_chats()
    item = await draft("to=all everyone")
    _, schedule = await broadcasts.confirm(item.id, actor_id=AUTHOR, now=NOW)
    occurrence = await schedules.claim(schedule, NOW, schedules.ALARM)
    assert occurrence is not None and await broadcasts.start_sending(item)
    first = await deliveries.claim(occurrence, TEAM_CHAT, deliveries.COPY)
    assert first is not None
    await deliveries.delivered(first, 7, NOW, {broadcasts.PIN_ERROR: "not enough rights"})
    second = await deliveries.claim(occurrence, FINANCE_CHAT, deliveries.COPY)
    assert second is not None  # claimed but never recorded (a crash): claimed again, so sent again
    again = await deliveries.claim(occurrence, FINANCE_CHAT, deliveries.COPY)
    assert again is not None and again.id == second.id
    await deliveries.failed(second, "Forbidden: bot was kicked")
    assert await deliveries.claim(occurrence, TEAM_CHAT, deliveries.COPY) is None
    assert await deliveries.claim(occurrence, FINANCE_CHAT, deliveries.COPY) is None
    closed = await broadcasts.finish(item, occurrence)
    assert closed is not None and [(d.recipient, d.state) for d in closed] == [
        (TEAM_CHAT, deliveries.SENT),
        (FINANCE_CHAT, deliveries.FAILED),
    ]
    assert closed[0].extra == {broadcasts.PIN_ERROR: "not enough rights"} and closed[1].error
    assert await broadcasts.finish(item, occurrence) is None
    entry = await AuditEntry.get(action="broadcast.delivered")
    assert entry.after == {"delivered": 1, "failed": 1}
    with pytest.raises(UserError):
        await broadcasts.cancel(item.id, actor_id=AUTHOR, now=NOW)


async def test_a_cancelled_broadcast_is_never_started(database: str) -> None:
    await team_with_chats()
    item = await draft()
    await broadcasts.cancel(item.id, actor_id=AUTHOR, now=NOW)
    assert not await broadcasts.start_sending(await broadcasts.get(item.id))


async def test_acks_once_per_person_and_who_is_still_expected(database: str) -> None:
    await team_with_chats()
    item = await draft()
    assert await broadcasts.acknowledge(item.id, OTHER, TEAM_CHAT)
    assert not await broadcasts.acknowledge(item.id, OTHER, FINANCE_CHAT)
    assert await broadcasts.acknowledge(item.id, 99, TEAM_CHAT)  # someone without a role read it too
    status = await broadcasts.acks(item)
    assert [(person.username if person else None, ack.person_id) for person, ack in status.acked] == [
        ("bob", OTHER),
        (None, 99),
    ]
    assert [person.username for person in status.waiting] == ["carol"]  # agents only; the author aside
    with pytest.raises(UserError):
        await broadcasts.acknowledge(404, OTHER, TEAM_CHAT)
