"""Fixtures: a fresh database per test on SQLite and PostgreSQL, and the real bot against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
import time_machine

from bot import db
from bot.services.scheduling import shop_calendar
from bot.services.team import chats, people, rules
from tests.harness import Harness
from tests.shop_clock import START

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
PG_SCHEMA = f"kefu_test_{os.getpid()}"
"""Each test run gets its own schema, so parallel runs on one server never see each other's tables."""


async def _reset_postgres() -> str | None:
    """Recreate this run's schema empty; a message when PostgreSQL is not reachable."""
    try:
        conn = await asyncpg.connect(PG_SERVER.replace("postgres://", "postgresql://"), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {PG_SERVER} is not reachable: {exc}"
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE; CREATE SCHEMA "{PG_SCHEMA}";')
    finally:
        await conn.close()
    return None


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema() -> Iterator[None]:
    """Leave the server as we found it."""
    yield

    async def drop() -> None:
        """Drop this run's schema if it was created."""
        try:
            conn = await asyncpg.connect(PG_SERVER.replace("postgres://", "postgresql://"), timeout=3)
        except (OSError, asyncpg.PostgresError):
            return
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for an empty database; PostgreSQL is skipped locally when absent, fatal on CI."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/kefu.sqlite3"
    problem = await _reset_postgres()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return f"{PG_SERVER}?schema={PG_SCHEMA}"


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[str]:
    """An open, migrated database for service tests."""
    people.forget_cache()
    chats.forget_cache()
    rules.forget_cache()
    shop_calendar.forget_cache()
    await db.open_db(db_url)
    try:
        yield db_url
    finally:
        await db.close_db()


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The real PTB Application talking to the fake Bot API server, with users and groups ready."""
    async with Harness.running(db_url) as harness:
        yield harness


@pytest.fixture
def start() -> datetime:
    """Where the `clock` fixture starts; a test file overrides this fixture to start elsewhere."""
    return START


@pytest.fixture
def clock(start: datetime) -> Iterator[time_machine.Coordinates]:
    """The shop's clock, frozen at `start` and moved by the tests."""
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller
