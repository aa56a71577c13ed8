"""Database lifecycle: build the Tortoise config from DATABASE_URL, migrate, open and close."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {"busy_timeout": "5000", "synchronous": "FULL"}
"""FULL: in WAL mode every commit waits until the WAL is on disk, so a record acknowledged with "✅ Saved."
survives a power cut (NORMAL may lose the last commits). About 0.5 ms a record here: docs/benchmarks.md."""
PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def normalise_url(url: str) -> str:
    """Give SQLite a busy timeout, durable commits and a private file; leave other databases untouched."""
    if not url.startswith("sqlite://") or ":memory:" in url:
        return url
    parts = urlsplit(url)
    path = url[len("sqlite://") :].split("?", 1)[0]
    make_private(Path(path))
    query = {**SQLITE_PRAGMAS, **dict(parse_qsl(parts.query))}
    return f"sqlite://{path}?{urlencode(query)}" if query else urlunsplit(parts)


def make_private(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) before SQLite opens it, so customer data is
    readable by the bot's user only. SQLite gives its -wal and -shm files the main file's mode; files left by
    an older version are narrowed too. An existing folder is left as it is: it may be shared."""
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))  # SQLite takes an empty file as new
    for suffix in SQLITE_FILES:
        file = path.with_name(path.name + suffix)
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(PRIVATE_FILE)


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
