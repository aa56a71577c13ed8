"""Migration 0009 on SQLite and PostgreSQL: rows of the four old ways to fan a posting out (broadcast, shift
and rotation deliveries, digest parts as extra occurrences) all become deliveries of their posting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from tortoise import Tortoise, connections
from tortoise.exceptions import OperationalError
from tortoise.migrations.api import migrate

from bot import db
from bot.models import Broadcast, Delivery, Occurrence
from bot.services.digests import settings as digests
from bot.services.scheduling import deliveries

BEFORE = "models.0008_alarm_outcome"
MONDAY, TUESDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC), datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
AT, LATER = f"'{MONDAY.isoformat(' ')}'", f"'{TUESDAY.isoformat(' ')}'"
SCHEDULE = (
    "INSERT INTO schedule (id, kind, chat_id, owner_id, rule, timezone, text, ref, state, created_at) "
    "VALUES ({id}, '{kind}', {chat}, 1, '{{}}', 'Asia/Shanghai', 'x', {ref}, 'active', " + AT + ")"
)
OCCURRENCE = (
    "INSERT INTO occurrence (id, schedule_id, due_at, kind, state, chat_id, message_id, sent_at) "
    "VALUES ({id}, {schedule}, {due}, '{kind}', '{state}', {chat}, {message}, {sent})"
)
BROADCAST = (
    "INSERT INTO broadcast (id, author_id, chat_id, target, body, pin, silent, timezone, state, created_at) "
    "VALUES ({id}, 1, -500, 'team', 'hello', {pin}, false, 'Asia/Shanghai', '{state}', " + AT + ")"
)
DRAFT_CHAT = (
    "INSERT INTO broadcast_delivery (broadcast_id, chat_id, chat_title, state) "
    "VALUES (2, {chat}, '{title}', 'pending')"
)
OLD_ROWS = [
    # broadcast 1 went out: one chat took it (the pin failed), one refused it
    SCHEDULE.format(id=1, kind="broadcast", chat=-500, ref="'broadcast:1'"),
    OCCURRENCE.format(
        id=1, schedule=1, due=AT, kind="alarm", state="sent", chat=-500, message="NULL", sent=AT
    ),
    BROADCAST.format(id=1, pin="true", state="done"),
    "INSERT INTO broadcast_delivery (broadcast_id, chat_id, chat_title, state, message_id, error, pin_error, "
    f"sent_at) VALUES (1, -501, 'Kefu', 'sent', 7, NULL, 'not enough rights', {AT})",
    "INSERT INTO broadcast_delivery (broadcast_id, chat_id, chat_title, state, message_id, error, pin_error, "
    "sent_at) VALUES (1, -502, 'Money', 'failed', NULL, 'Forbidden: bot was kicked', NULL, NULL)",
    # broadcast 2 is still a draft: its chats only
    BROADCAST.format(id=2, pin="false", state="draft"),
    DRAFT_CHAT.format(chat=-502, title="Money"),
    DRAFT_CHAT.format(chat=-501, title="Kefu"),
    # a shift posting: one reminder sent, one refused (recorded without a message id)
    SCHEDULE.format(id=2, kind="shift", chat=-501, ref="'shift:1:winter:start'"),
    OCCURRENCE.format(
        id=2, schedule=2, due=AT, kind="lead", state="sent", chat=-501, message="NULL", sent=AT
    ),
    "INSERT INTO shift_delivery (occurrence_id, recipient, part, message_id, sent_at) "
    f"VALUES (2, 1001, 'remind', 11, {AT})",
    "INSERT INTO shift_delivery (occurrence_id, recipient, part, message_id, sent_at) "
    f"VALUES (2, 1002, 'remind', NULL, {AT})",
    # a rotation handoff: the review chat's copy sent, one person's refused
    SCHEDULE.format(id=3, kind="rotation", chat=-503, ref="'rotation:review'"),
    OCCURRENCE.format(id=3, schedule=3, due=AT, kind="alarm", state="sent", chat=-503, message=21, sent=AT),
    "INSERT INTO rotation_delivery (occurrence_id, recipient, state, message_id, sent_at) "
    f"VALUES (3, -503, 'sent', 21, {AT})",
    "INSERT INTO rotation_delivery (occurrence_id, recipient, state, message_id, sent_at) "
    f"VALUES (3, 1003, 'failed', NULL, {AT})",
    # two finance digests: one complete, one cut off while its first text part was being sent
    SCHEDULE.format(id=4, kind="digest", chat=-502, ref="'finance'"),
    OCCURRENCE.format(
        id=4, schedule=4, due=AT, kind="alarm", state="sent", chat=-502, message="NULL", sent=AT
    ),
    OCCURRENCE.format(id=5, schedule=4, due=AT, kind="dfile", state="sent", chat=-502, message=31, sent=AT),
    OCCURRENCE.format(id=6, schedule=4, due=AT, kind="dlist", state="sent", chat=-502, message=32, sent=AT),
    OCCURRENCE.format(
        id=7, schedule=4, due=LATER, kind="alarm", state="sending", chat=-502, message="NULL", sent="NULL"
    ),
    OCCURRENCE.format(
        id=8, schedule=4, due=LATER, kind="dt0", state="sending", chat=-502, message="NULL", sent="NULL"
    ),
    # a shelf alarm with its heads-up: not a fan-out, left alone
    SCHEDULE.format(id=5, kind="shelf", chat=-501, ref="NULL"),
    OCCURRENCE.format(id=9, schedule=5, due=AT, kind="lead", state="sent", chat=-501, message=41, sent=AT),
    OCCURRENCE.format(id=10, schedule=5, due=AT, kind="alarm", state="sent", chat=-501, message=42, sent=AT),
]


@pytest.fixture
async def migrated(bare_db_url: str) -> AsyncIterator[str]:
    """A database built up to the migration before 0009, filled with old rows, then migrated to the end."""
    await migrate(config=db.tortoise_config(bare_db_url), target=BEFORE)
    client = connections.get("default")
    for statement in OLD_ROWS:
        await client.execute_query(statement)
    await Tortoise.close_connections()
    await db.open_db(bare_db_url)
    try:
        yield bare_db_url
    finally:
        await db.close_db()


Row = tuple[int, str, int, str, str, int | None, str | None, dict[str, object], bool]


async def rows() -> list[Row]:
    """Every delivery as (occurrence, channel, recipient, part, state, message, error, extra, has sent_at)."""
    return [
        (
            d.occurrence_id,  # type: ignore[attr-defined]
            d.channel,
            d.recipient,
            d.part,
            d.state,
            d.message_id,
            d.error,
            d.extra,
            d.sent_at is not None,
        )
        for d in await Delivery.all().order_by("occurrence_id", "recipient", "part")
    ]


async def test_every_old_row_is_a_delivery_of_its_posting(migrated: str) -> None:
    assert await rows() == [
        (1, "telegram", -502, "copy", "failed", None, "Forbidden: bot was kicked", {}, False),
        (1, "telegram", -501, "copy", "sent", 7, None, {"pin_error": "not enough rights"}, True),
        (2, "telegram", 1001, "remind", "sent", 11, None, {}, True),
        (2, "telegram", 1002, "remind", "failed", None, None, {}, False),
        (3, "telegram", -503, "copy", "sent", 21, None, {}, True),
        (3, "telegram", 1003, "copy", "failed", None, None, {}, False),
        (4, "telegram", -502, "dfile", "sent", 31, None, {}, True),
        (4, "telegram", -502, "dlist", "sent", 32, None, {}, True),
        (7, "telegram", -502, "dt0", "sending", None, None, {}, False),
    ]
    times = {(d.created_at, d.sent_at) for d in await Delivery.all()}
    assert times == {(MONDAY, MONDAY), (MONDAY, None), (TUESDAY, None)}  # the cut-off part: its due time


async def test_broadcasts_keep_their_chats_in_order(migrated: str) -> None:
    first, second = await Broadcast.all().order_by("id")
    assert first.target_chats == [{"id": -501, "title": "Kefu"}, {"id": -502, "title": "Money"}]
    assert second.target_chats == [{"id": -502, "title": "Money"}, {"id": -501, "title": "Kefu"}]


async def test_digest_parts_are_no_longer_occurrences(migrated: str) -> None:
    left = await Occurrence.all().order_by("id").values_list("id", "kind", "state")
    assert left == [
        (1, "alarm", "sent"),
        (2, "lead", "sent"),
        (3, "alarm", "sent"),
        (4, "alarm", "sent"),
        (7, "alarm", "sending"),
        (9, "lead", "sent"),
        (10, "alarm", "sent"),
    ]
    assert await digests.latest_part(-502, "dlist") == 32


async def test_carried_rows_behave_like_new_ones(migrated: str) -> None:
    kefu = await Occurrence.get(id=1)
    assert await deliveries.claim(kefu, -501, "copy") is None  # sent: never again
    assert await deliveries.claim(kefu, -502, "copy") is None  # refused for good
    cut_off = await deliveries.claim(await Occurrence.get(id=7), -502, "dt0")
    assert cut_off is not None and cut_off.state == deliveries.SENDING  # may have gone out: sent again
    fresh = await deliveries.claim(kefu, -504, "copy")
    assert fresh is not None and fresh.id > max(d.id for d in await Delivery.exclude(id=fresh.id))


async def test_the_old_tables_are_gone(migrated: str) -> None:
    client = connections.get("default")
    for table in ("broadcast_delivery", "shift_delivery", "rotation_delivery"):
        with pytest.raises(OperationalError):
            await client.execute_query(f"SELECT * FROM {table}")
