"""Caches across instances: a change on one instance makes every other one forget what it cached.

Services register what to forget per scope (`register("people", forget_cache)`) and call
`await changed("people")` after a committed write. On PostgreSQL a `Bus` (started by the runtime) LISTENs on
one channel and NOTIFYs it, so the other instances forget within milliseconds; on SQLite (one process) it does
nothing. The same bus carries the schedules a standby changed to the leader, which alone arms timers (scope
`schedule`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

Receiver = Callable[[str], Awaitable[None] | None]
"""Called with the key of a change another instance announced (empty for a whole cache)."""

_receivers: dict[str, list[Receiver]] = {}
_bus: Bus | None = None
INSTANCE = uuid.uuid4().hex[:12]
"""This process, so it can skip its own announcements."""


def register(scope: str, receiver: Receiver) -> None:
    """Call `receiver` whenever another instance announces a change in `scope`."""
    if receiver not in _receivers.setdefault(scope, []):
        _receivers[scope].append(receiver)


async def changed(scope: str, key: str = "") -> None:
    """Tell the other instances (if any) that `scope` changed; a no-op without a bus."""
    if _bus is not None:
        await _bus.publish(scope, key)


async def receive(scope: str, key: str) -> None:
    """Run what is registered for a scope (the bus calls this for other instances' announcements)."""
    for receiver in _receivers.get(scope, []):
        result = receiver(key)
        if result is not None:
            await result


def postgres_dsn(url: str) -> tuple[str, str]:
    """asyncpg's DSN for a Tortoise PostgreSQL URL (its query options are Tortoise's) and the schema."""
    base, _, query = url.partition("?")
    options = dict(part.partition("=")[::2] for part in query.split("&") if part)
    _, _, rest = base.partition("://")
    return f"postgresql://{rest}", options.get("schema", "public")


def channel_for(url: str) -> str:
    """One channel per database and schema: two deployments on one server do not hear each other."""
    dsn, schema = postgres_dsn(url)
    database = dsn.rsplit("/", 1)[-1]
    return f"kefu_{zlib.crc32(f'{database}/{schema}'.encode()):08x}"


class Bus:
    """A dedicated PostgreSQL connection that listens for and announces changes."""

    def __init__(self, url: str) -> None:
        """Not connected yet: `start` connects."""
        self.dsn, _ = postgres_dsn(url)
        self.channel = channel_for(url)
        self.conn: Any = None

    async def start(self) -> None:
        """Connect and listen; from now on `changed` reaches the other instances."""
        global _bus
        self.conn = await asyncpg.connect(self.dsn, timeout=5)
        await self.conn.add_listener(self.channel, self._heard)
        _bus = self

    async def ensure(self) -> None:
        """Reconnect a lost connection; what was announced meanwhile is unknown, so forget every cache."""
        if self.conn is not None and not self.conn.is_closed():
            return
        try:
            await self.start()
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("change notices from other instances unavailable: %s", exc)
            return
        for scope in list(_receivers):
            await receive(scope, "")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        global _bus
        _bus = None
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.close(timeout=2)

    async def publish(self, scope: str, key: str) -> None:
        """NOTIFY the channel; reconnects once when the connection was lost (a lost notice is logged)."""
        payload = f"{INSTANCE}|{scope}|{key}"
        for attempt in range(2):
            try:
                await self.ensure()
                await self.conn.execute("SELECT pg_notify($1, $2)", self.channel, payload, timeout=2)
                return
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                if attempt:
                    log.warning("could not announce a change of %s to other instances: %s", scope, exc)

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        """A notice arrived: act on another instance's change in a task of its own."""
        instance, _, rest = payload.partition("|")
        scope, _, key = rest.partition("|")
        if instance != INSTANCE:
            asyncio.get_running_loop().create_task(receive(scope, key))
