"""Who leads: a PostgreSQL session-level advisory lock on a dedicated connection, or a file lock for SQLite.

The PostgreSQL lock belongs to the connection: when the process dies (even by SIGKILL) or its connection
drops, the server releases it and the next standby to ask gets it. The leader checks its connection every few
seconds and hears at once when asyncpg sees it close.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import asyncpg

from bot.services.invalidation import postgres_dsn

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
QUERY_TIMEOUT = 2.0


class AlreadyRunningError(RuntimeError):
    """Another process serves this SQLite database."""


class Leadership(Protocol):
    """What the runner asks of a way to elect a leader."""

    lost: asyncio.Event
    """Set the moment the leader's hold is known to be gone."""

    async def acquire(self) -> bool:
        """Try once to become the leader; True when this process now leads."""

    async def holds(self) -> bool:
        """Whether this process still leads (checked by the leader every few seconds)."""

    def migrating(self) -> Any:
        """An async context in which one process at a time migrates the database."""

    async def close(self) -> None:
        """Give up leadership and free the connection or file."""


def lock_key(url: str, purpose: str) -> int:
    """A 32-bit advisory lock key for one database and schema (two deployments on one server do not clash)."""
    dsn, schema = postgres_dsn(url)
    return zlib.crc32(f"kefu-bot:{purpose}:{dsn.rsplit('/', 1)[-1]}/{schema}".encode()) - 2**31


class PostgresLeadership:
    """The advisory lock held on a connection of its own."""

    def __init__(self, url: str) -> None:
        """Nothing is connected until `acquire` or `migrating`."""
        self.dsn, _ = postgres_dsn(url)
        self.key = lock_key(url, "leader")
        self.migrate_key = lock_key(url, "migrate")
        self.conn: Any = None
        self.leading = False
        self.lost = asyncio.Event()

    async def _connection(self) -> Any:
        """The dedicated connection, (re)opened when needed; its loss ends leadership at once."""
        if self.conn is None or self.conn.is_closed():
            self.conn = await asyncpg.connect(self.dsn, timeout=CONNECT_TIMEOUT)
            self.conn.add_termination_listener(self._closed)
        return self.conn

    def _closed(self, _conn: object) -> None:
        """asyncpg saw the connection close: a leader no longer holds the lock."""
        if self.leading:
            self.leading = False
            self.lost.set()

    async def acquire(self) -> bool:
        """pg_try_advisory_lock on the dedicated connection; False when another holds it or the database is
        down."""
        try:
            conn = await self._connection()
            got = await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key, timeout=QUERY_TIMEOUT)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("leader election: database unreachable (%s)", exc)
            await self._drop()
            return False
        if got is True:
            self.lost.clear()
            self.leading = True
        return got is True

    async def holds(self) -> bool:
        """A round trip on the lock's connection: if it fails, the lock is as good as gone."""
        if not self.leading or self.conn is None or self.conn.is_closed():
            return False
        try:
            await self.conn.fetchval("SELECT 1", timeout=QUERY_TIMEOUT)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.error("leader lost its database connection: %s", exc)
            await self._drop()
            return False
        return True

    @asynccontextmanager
    async def migrating(self) -> AsyncIterator[None]:
        """Instances starting together migrate one after the other (the later ones find nothing to do)."""
        conn = await self._connection()
        await conn.execute("SELECT pg_advisory_lock($1)", self.migrate_key)
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", self.migrate_key)

    async def _drop(self) -> None:
        """Forget a broken connection (the server releases its locks)."""
        conn, self.conn = self.conn, None
        if self.leading:
            self.leading = False
            self.lost.set()
        if conn is not None:
            conn.terminate()

    async def close(self) -> None:
        """Close the connection: the lock goes with it."""
        self.leading = False
        if self.conn is not None and not self.conn.is_closed():
            try:
                await self.conn.close(timeout=QUERY_TIMEOUT)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                self.conn.terminate()
        self.conn = None


class Alone:
    """An in-memory database cannot be shared: the one process leads."""

    def __init__(self) -> None:
        """Never lost."""
        self.lost = asyncio.Event()

    async def acquire(self) -> bool:
        """Always the leader."""
        return True

    async def holds(self) -> bool:
        """Always the leader."""
        return True

    @asynccontextmanager
    async def migrating(self) -> AsyncIterator[None]:
        """Nothing to share."""
        yield

    async def close(self) -> None:
        """Nothing to free."""


class FileLeadership(Alone):
    """SQLite serves one process: an exclusive fcntl lock on `<database>.lock`, holding the owner's pid; it
    leads from the start and never loses the lead while it lives."""

    def __init__(self, database: Path) -> None:
        """Take the lock now, or raise AlreadyRunningError naming the process that holds it."""
        super().__init__()
        self.path = database.with_name(database.name + ".lock")
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(self.fd)
            raise AlreadyRunningError(
                f"Another kefu-bot process (pid {holder}) is already running on {database}.\n"
                "SQLite serves one process: stop that one first, or use PostgreSQL to run several instances."
            ) from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)

    async def close(self) -> None:
        """Release the lock (closing the file does) and leave an empty file behind."""
        if self.fd < 0:
            return
        os.ftruncate(self.fd, 0)
        os.close(self.fd)
        self.fd = -1


def is_postgres(url: str) -> bool:
    """Whether the database is PostgreSQL (several instances) rather than SQLite (one process)."""
    return url.startswith(("postgres://", "postgresql://", "asyncpg://", "psycopg://"))


def leadership_for(url: str) -> Leadership:
    """PostgreSQL elects among instances; SQLite allows one process per file (none for :memory:)."""
    if is_postgres(url):
        return PostgresLeadership(url)
    path = url.split("://", 1)[-1].split("?", 1)[0]
    if ":memory:" in path:
        return Alone()
    return FileLeadership(Path(path))
