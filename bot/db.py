"""Database lifecycle: build the Tortoise config from DATABASE_URL, migrate, open and close."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {"busy_timeout": "5000", "synchronous": "NORMAL"}


def normalise_url(url: str) -> str:
    """Give SQLite a busy timeout and create its folder; leave other databases untouched."""
    if not url.startswith("sqlite://") or ":memory:" in url:
        return url
    parts = urlsplit(url)
    path = url[len("sqlite://") :].split("?", 1)[0]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    query = {**SQLITE_PRAGMAS, **dict(parse_qsl(parts.query))}
    return f"sqlite://{path}?{urlencode(query)}" if query else urlunsplit(parts)


def tortoise_config(url: str) -> dict[str, Any]:
    """The Tortoise config dictionary for one database URL, migrations included."""
    return {
        "connections": {"default": normalise_url(url)},
        "apps": {
            "models": {"models": ["bot.models"], "default_connection": "default", "migrations": "migrations"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(url: str) -> None:
    """Apply every pending migration; a no-op when the schema is up to date."""
    try:
        await run_migrations(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


async def open_db(url: str) -> None:
    """Migrate, then initialise Tortoise so that handlers running in other tasks can query."""
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_db() -> None:
    """Close connections; an unclosed aiosqlite connection would hang the process at exit."""
    await Tortoise.close_connections()
    # Tortoise caches INSERT statements per connection name, not per dialect: forget them so that a
    # later open_db on another kind of database (the tests use SQLite and PostgreSQL) builds its own.
    EXECUTOR_CACHE.clear()
