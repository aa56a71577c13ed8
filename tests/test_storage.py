"""Services against a real database (SQLite and PostgreSQL): migrations and indexes, roles, chats, audit."""

from __future__ import annotations

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.transactions import in_transaction

from bot import db
from bot.enums import ChatPurpose, Role
from bot.models import AuditEntry, Person
from bot.services import audit
from bot.services import sql_portable as sql
from bot.services.errors import UserError
from bot.services.team import chats, people


async def test_migrations_are_idempotent(database: str) -> None:
    await db.migrate(database)
    await db.open_db(database)
    assert await Person.all().count() == 0


async def test_models_and_migrations_agree(database: str) -> None:
    config = db.tortoise_config(database)
    apps_config = config["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    assert await detector.changes() == []


@pytest.mark.parametrize("key", ["name", "alipay"])
async def test_personal_searches_read_an_index_not_every_record(database: str, key: str) -> None:
    query = f"SELECT id FROM record WHERE {sql.json_text('data', key)} = ?"
    if sql.is_postgres():
        async with in_transaction() as conn:
            await conn.execute_query("SET LOCAL enable_seqscan = off")  # a small table is read whole anyway
            plan = await conn.execute_query_dict(*sql.portable(f"EXPLAIN {query}", ["张三"]))
    else:
        plan = await sql.rows(f"EXPLAIN QUERY PLAN {query}", ["张三"])
    assert f"idx_record_data_{key}" in str(plan), plan


async def test_telegram_ids_are_stored_as_given(database: str) -> None:
    big = 7_123_456_789
    await people.observe(people.SeenUser(big, "Big", username="BigUser"))
    person = await people.by_username("@biguser")
    assert person is not None and person.id == big


async def test_username_moves_to_the_newest_owner(database: str) -> None:
    await people.observe(people.SeenUser(1, "A", username="shared"))
    await people.observe(people.SeenUser(2, "B", username="shared"))
    person = await people.by_username("shared")
    assert person is not None and person.id == 2


async def test_role_changes_are_all_or_nothing_and_audited(database: str) -> None:
    await people.ensure_owners([10])
    await people.observe(people.SeenUser(11, "Sup", username="sup"))
    await people.observe(people.SeenUser(12, "Agent", username="agent"))
    sup = await people.get(11)
    agent = await people.get(12)
    assert sup and agent
    await people.change_roles(
        actor_id=10, target=sup, changes=people.parse_role_changes(["主管"]), chat_id=None
    )
    with pytest.raises(UserError):
        await people.change_roles(
            actor_id=11, target=agent, changes=people.parse_role_changes(["售后", "finance"]), chat_id=None
        )
    assert await people.roles_of(12) == frozenset()
    entries = await audit.recent(10)
    assert [e.action for e in entries] == ["role.change", "role.grant"]
    assert entries[0].actor_id == 10 and entries[0].after == {"roles": ["supervisor"]}


async def test_owners_become_managers_once(database: str) -> None:
    assert await people.ensure_owners([10, 20]) == [10, 20]
    assert await people.ensure_owners([10, 20]) == []
    assert await people.roles_of(20) == {Role.MANAGER}
    assert await AuditEntry.all().count() == 2


async def test_chat_registration_and_locale(database: str) -> None:
    await chats.observe(chats.SeenChat(-5, "supergroup", "Team"))
    first = await chats.register(actor_id=1, chat_id=-5, purpose=ChatPurpose.TEAM)
    assert first == chats.Registered(None, [])
    changed = await chats.register(actor_id=1, chat_id=-5, purpose=ChatPurpose.REVIEW)
    assert changed == chats.Registered(ChatPurpose.TEAM, [])
    assert [c.id for c in await chats.registered()] == [-5]
    assert await chats.locale_of(-5, "en") == "en"
    await chats.set_locale(actor_id=1, chat_id=-5, locale="zh_CN")
    chats.forget_cache()
    assert await chats.locale_of(-5, "en") == "zh_CN"


@pytest.mark.parametrize("word", ["售后", "AfterSale", "aftersale"])
def test_role_aliases(word: str) -> None:
    assert people.parse_role(word) == Role.AFTERSALE


def test_unknown_role_lists_the_valid_ones() -> None:
    with pytest.raises(UserError) as error:
        people.parse_role("wizard")
    assert "presale" in error.value.params["roles"]
