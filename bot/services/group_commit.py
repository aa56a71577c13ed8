"""Writes from many chats committed together on SQLite: one hop to the database thread and one disk sync for
all the plans that are waiting, each plan in a savepoint of its own.

On SQLite every call is a hop to aiosqlite's thread and back (about 0.17 ms of CPU) and every commit waits for
a sync to disk (synchronous=FULL: about 0.13 ms of CPU more). When fifty chats log records at once, those two
cost more than the statements. Each caller still gets its answer only after the commit that holds its plan,
so nothing acknowledged can be lost; a plan that fails is rolled back to its savepoint and only its caller
sees the error.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable, Generator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.backends.sqlite.client import SqliteClient
from tortoise.exceptions import IntegrityError, OperationalError

T = TypeVar("T")
Rows = list[dict[str, Any]]
Plan = Generator[tuple[str, Sequence[Any]], Rows, T]
"""Statements in turn: each `yield (sql, params)` (with `?` placeholders) receives that statement's rows; what
the generator returns is the result of the whole."""
Waiting = tuple[Callable[[], Plan[Any]], "asyncio.Future[Any]"]


class GroupCommit:
    """The plans waiting for one SQLite database, and the task that commits them in turns."""

    def __init__(self, client: SqliteClient) -> None:
        self.client = client
        self.waiting: list[Waiting] = []
        self.committing: asyncio.Task[None] | None = None

    async def run(self, plan: Callable[[], Plan[T]]) -> T:
        """Queue a plan and wait until the transaction that holds it is committed (or it failed)."""
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.waiting.append((plan, done))
        if self.committing is None or self.committing.done():  # done: its loop ended without finishing
            self.committing = asyncio.create_task(self.commit_all())
        return await done

    async def commit_all(self) -> None:
        """Commit what waits, turn after turn, until nothing does; what queues during a turn goes next."""
        try:
            while self.waiting:
                async with self.client.acquire_connection() as connection:
                    turn, self.waiting = self.waiting, []
                    plans = [plan for plan, _ in turn]
                    try:
                        # aiosqlite's own way of running a function on its thread (what its execute() calls)
                        outcomes = await connection._execute(run_together, connection._conn, plans)
                    except Exception as error:  # the commit failed: no plan of this turn was stored
                        outcomes = [error] * len(turn)
                    except BaseException:
                        for _, done in turn + self.waiting:
                            done.cancel()
                        self.waiting = []
                        raise
                for (_, done), outcome in zip(turn, outcomes, strict=True):
                    if done.done():
                        continue
                    if isinstance(outcome, BaseException):
                        done.set_exception(translated(outcome))
                    else:
                        done.set_result(outcome.value)
        finally:
            self.committing = None


class Result:
    """A plan's value, told apart from an exception it raised."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def run_together(connection: sqlite3.Connection, plans: list[Callable[[], Plan[Any]]]) -> list[Any]:
    """Plans in one transaction, each in a savepoint, on the connection's own thread: a Result or the
    exception of each."""
    outcomes: list[Any] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for plan in plans:
            connection.execute("SAVEPOINT plan")
            try:
                outcomes.append(Result(run_plan(connection, plan)))
            except Exception as error:
                connection.execute("ROLLBACK TO plan")
                outcomes.append(error)
            connection.execute("RELEASE plan")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return outcomes


def run_plan(connection: sqlite3.Connection, plan: Callable[[], Plan[T]]) -> T:
    """One plan's statements in turn."""
    steps = plan()
    step = next(steps)
    while True:
        sql, params = step
        found = connection.execute(sql, in_utc(params)).fetchall()
        try:
            step = steps.send([dict(row) for row in found])
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def in_utc(params: Sequence[Any]) -> list[Any]:
    """Parameters with every timestamp in UTC, the zone everything is stored in."""
    return [value.astimezone(UTC) if isinstance(value, datetime) else value for value in params]


def translated(error: BaseException) -> BaseException:
    """SQLite's errors as the ORM raises them, so callers catch one kind whichever path wrote."""
    if isinstance(error, sqlite3.IntegrityError):
        return IntegrityError(error)
    if isinstance(error, sqlite3.OperationalError):
        return OperationalError(error)
    return error


COMMITTERS: weakref.WeakKeyDictionary[SqliteClient, GroupCommit] = weakref.WeakKeyDictionary()


def committer(client: SqliteClient) -> GroupCommit:
    """The one group committer of a database connection."""
    found = COMMITTERS.get(client)
    if found is None:
        found = COMMITTERS[client] = GroupCommit(client)
    return found
