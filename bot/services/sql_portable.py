"""SQL the ORM cannot say (seconds since the epoch, JSON text, medians), for SQLite and PostgreSQL alike.

Reports aggregate in the database: a month holds tens of thousands of records, so no row list comes to Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.transactions import in_transaction

from bot.services.group_commit import Plan as Plan
from bot.services.group_commit import committer, in_utc

T = TypeVar("T")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_.]*$")
PLACEHOLDER = re.compile(r"\?")


def is_postgres() -> bool:
    """Whether the open database is PostgreSQL (else SQLite)."""
    return bool(Tortoise.get_connection("default").capabilities.dialect == "postgres")


def checked(name: str) -> str:
    """Column names are ours, never typed by people; refuse anything else."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a column name: {name!r}")
    return name


def epoch(expression: str) -> str:
    """Seconds since 1970 of a timestamp (a column or an aggregate of one), as a real number."""
    if is_postgres():
        return f"EXTRACT(EPOCH FROM {expression})"
    return f"((julianday({expression}) - 2440587.5) * 86400.0)"


def slot(column: str, seconds: int) -> str:
    """Which `seconds`-long stretch since 1970 a timestamp falls in, exactly (an integer)."""
    if is_postgres():
        return f"FLOOR(EXTRACT(EPOCH FROM {checked(column)}) / {int(seconds)})"
    return f"(CAST(strftime('%s', {checked(column)}) AS INTEGER) / {int(seconds)})"


def json_text(column: str, key: str) -> str:
    """One key of a JSON column as text."""
    if is_postgres():
        return f"({checked(column)} ->> '{checked(key)}')"
    return f"json_extract({checked(column)}, '$.{checked(key)}')"


async def rows(sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run a query written with `?` placeholders on whichever database is open."""
    found = await Tortoise.get_connection("default").execute_query_dict(*portable(sql, params))
    return [dict(row) for row in found]


def portable(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """The statement in the open database's placeholders, timestamps in UTC (SQLite compares timestamps as
    the text they were stored as)."""
    if is_postgres():
        numbers = iter(range(1, len(params) + 1))
        sql = PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)
    return sql, in_utc(params)


async def atomic(plan: Callable[[], Plan[T]], serial: str | None = None) -> T:
    """Run a plan's statements as one transaction and return its result; plans given the same `serial` name
    never run side by side (e.g. each takes the next number and must see the one taken before).

    On SQLite the plan joins the others waiting, and they are committed together, one after the other
    (services/group_commit.py). Elsewhere (PostgreSQL, or inside a transaction already open) its statements
    run in turn in a transaction, after an advisory lock on `serial`."""
    client = Tortoise.get_connection("default")
    if isinstance(client, SqliteClient) and not isinstance(client, TransactionalDBClient):
        return await committer(client).run(plan)
    async with in_transaction() as conn:
        if serial and is_postgres():
            await conn.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [serial])
        steps = plan()
        step = next(steps)
        while True:
            found = await conn.execute_query_dict(*portable(*step))
            try:
                step = steps.send([dict(row) for row in found])
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]


def write(sql: str, params: Sequence[Any]) -> Plan[None]:
    """A plan of one statement."""
    yield sql, params


async def median(inner: str, params: Sequence[Any]) -> tuple[float | None, int]:
    """The median of column `x` of a subquery, and how many values it had; None when there were none."""
    found = await rows(
        f"WITH d AS ({inner}), "
        "o AS (SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS rn, COUNT(*) OVER () AS n FROM d) "
        "SELECT AVG(x) AS m, MAX(n) AS n FROM o WHERE rn IN ((n + 1) / 2, (n + 2) / 2)",
        params,
    )
    value, count = found[0]["m"], found[0]["n"]
    return (float(value) if value is not None else None), int(count or 0)
