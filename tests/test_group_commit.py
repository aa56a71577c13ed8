"""Plans committed together (SQLite) or each in its own transaction (PostgreSQL): records logged at once
by many people are each stored once with history and audit, two people logging one order store one record,
and a plan that fails is undone alone, its caller seeing the error as the ORM raises it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from bot.enums import RecordKind
from bot.models import AuditEntry, Record, RecordEvent, TeamSetting
from bot.services import group_commit
from bot.services import sql_portable as sql
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.team.rules import Rules

pytestmark = pytest.mark.usefixtures("database")

RULES = Rules()
SETTING = "INSERT INTO team_setting (key, value) VALUES (?, ?)"


async def log(order: str, author: int) -> records.Created:
    """Log a refund as /refund does."""
    draft = records.parse(RecordKind.REFUND, rf.split_words(f"{order} 12.5 破损 buyer=tb_{author}"), RULES)
    return await records.create(draft, author_id=author, chat_id=author, rules=RULES, now=datetime.now(UTC))


def counting_turns(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many plans each SQLite transaction held."""
    turns: list[int] = []
    run_together = group_commit.run_together

    def counted(connection: Any, plans: list[Callable[[], sql.Plan[Any]]]) -> list[Any]:
        """The real thing, counted."""
        turns.append(len(plans))
        return run_together(connection, plans)

    monkeypatch.setattr(group_commit, "run_together", counted)
    return turns


async def test_records_logged_by_fifty_people_at_once_are_each_stored_once_with_history_and_audit(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    turns = counting_turns(monkeypatch)
    created = await asyncio.gather(*(log(f"1234567890123{n:05d}", 1000 + n) for n in range(50)))

    numbers = sorted(c.record.number for c in created if c.record)
    assert numbers == list(range(1, 51))
    assert await Record.all().count() == 50
    assert await RecordEvent.filter(action="created").count() == 50
    targets = [entry.target for entry in await AuditEntry.filter(action="record.create")]
    assert sorted(targets) == sorted(f"R-{n}" for n in range(1, 51))
    if database.startswith("sqlite"):
        assert sum(turns) == 50 and len(turns) < 25, turns  # committed together, not one by one


async def test_one_order_logged_by_two_people_at_once_is_stored_once() -> None:
    first, second = await asyncio.gather(log("123456789012345678", 1), log("123456789012345678", 2))

    stored = [c.record for c in (first, second) if c.record]
    stopped = [c.duplicate for c in (first, second) if c.duplicate]
    assert len(stored) == 1 and len(stopped) == 1
    assert stopped[0] is not None and stored[0] is not None and stopped[0].id == stored[0].id
    assert await Record.all().count() == 1


def setting(key: str, *, then_fail: bool = False) -> Callable[[], sql.Plan[str]]:
    """A plan that stores a team setting, and fails after storing it when asked."""

    def plan() -> sql.Plan[str]:
        """Store, then maybe fail."""
        yield SETTING, [key, "1"]
        if then_fail:
            raise ValueError(f"{key} failed")
        return key

    return plan


async def test_a_plan_that_fails_is_undone_alone_and_only_its_caller_sees_why() -> None:
    outcomes = await asyncio.gather(
        sql.atomic(setting("a")),
        sql.atomic(setting("b", then_fail=True)),
        sql.atomic(setting("c")),
        return_exceptions=True,
    )

    assert outcomes[0] == "a" and outcomes[2] == "c"
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "b failed"
    assert sorted([setting.key for setting in await TeamSetting.all()]) == ["a", "c"]


async def test_a_plan_breaking_a_unique_key_raises_the_orms_integrity_error_and_keeps_the_others() -> None:
    await sql.atomic(setting("a"))

    outcomes = await asyncio.gather(
        sql.atomic(setting("a")), sql.atomic(setting("b")), return_exceptions=True
    )

    assert isinstance(outcomes[0], IntegrityError)
    assert outcomes[1] == "b"
    assert sorted([setting.key for setting in await TeamSetting.all()]) == ["a", "b"]
