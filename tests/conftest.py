"""Fixtures: a fresh database per test on SQLite and PostgreSQL, and the real bot against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
import time_machine

from bot import db
from bot.services import caches
from tests.harness import Harness
from tests.shop_clock import START

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
PG_SCHEMA = f"kefu_test_{os.getpid()}"
"""Each test run gets its own schema, so parallel runs on one server never see each other's tables."""


MIGRATIONS_TABLE = "tortoise_migrations"
_migrated: dict[str, object] = {}
"""What this process migrated once: the SQLite template file, and whether its PostgreSQL schema is."""


async def _connect() -> asyncpg.Connection:
    """A plain connection to the test server."""
    return await asyncpg.connect(PG_SERVER.replace("postgres://", "postgresql://"), timeout=3)


async def _reset_postgres(*, migrated: bool = False) -> str | None:
    """Empty this run's schema (dropped, or only its rows when `migrated`); a message when PostgreSQL is
    absent.

    Migrating a database from nothing takes about two seconds (Tortoise rebuilds its model state per
    operation), so each process migrates its schema once and later tests start from its emptied tables."""
    try:
        conn = await _connect()
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {PG_SERVER} is not reachable: {exc}"
    try:
        if migrated and _migrated.get("postgres"):
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> $2",
                PG_SCHEMA,
                MIGRATIONS_TABLE,
            )
            if tables:
                names = ", ".join(f'"{PG_SCHEMA}"."{row["tablename"]}"' for row in tables)
                await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            return None
        await conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE; CREATE SCHEMA "{PG_SCHEMA}";')
        _migrated.pop("postgres", None)
    finally:
        await conn.close()
    if migrated:
        await db.migrate(f"{PG_SERVER}?schema={PG_SCHEMA}")
        _migrated["postgres"] = True
    return None


async def _sqlite_template(folder: Path) -> Path:
    """A migrated, empty SQLite file made once per process, copied for each test."""
    template = _migrated.get("sqlite")
    if not isinstance(template, Path):
        template = folder / "template.sqlite3"
        await db.migrate(f"sqlite://{template}")
        _migrated["sqlite"] = template
    return template


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema() -> Iterator[None]:
    """Leave the server as we found it."""
    yield

    async def drop() -> None:
        """Drop this run's schema if it was created."""
        try:
            conn = await _connect()
        except (OSError, asyncpg.PostgresError):
            return
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(drop())


async def _url(kind: str, folder: Path, *, migrated: bool) -> str:
    """A URL for an empty database of `kind`, migrated or not; PostgreSQL is skipped locally when absent,
    fatal on CI."""
    if kind == "sqlite":
        path = folder / "kefu.sqlite3"
        if migrated:
            shutil.copyfile(await _sqlite_template(folder.parent), path)
            path.chmod(0o600)
        return f"sqlite://{path}"
    problem = await _reset_postgres(migrated=migrated)
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return f"{PG_SERVER}?schema={PG_SCHEMA}"


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for a migrated database with no rows."""
    return await _url(request.param, tmp_path, migrated=True)


@pytest.fixture(params=["sqlite", "postgres"])
async def bare_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for a database with no tables at all, for tests of the migrations themselves."""
    return await _url(request.param, tmp_path, migrated=False)


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[str]:
    """An open, migrated database for service tests."""
    caches.forget_all()
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
