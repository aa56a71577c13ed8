"""SQL the ORM cannot say (seconds since the epoch, JSON text, medians), for SQLite and PostgreSQL alike.

Reports aggregate in the database: a month holds tens of thousands of records, so no row list comes to Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_.]*$")
PLACEHOLDER = re.compile(r"\?")


def is_postgres() -> bool:
    """Whether the open database is PostgreSQL (else SQLite)."""
    return bool(Tortoise.get_connection("default").capabilities.dialect == "postgres")


def _checked(name: str) -> str:
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
        return f"FLOOR(EXTRACT(EPOCH FROM {_checked(column)}) / {int(seconds)})"
    return f"(CAST(strftime('%s', {_checked(column)}) AS INTEGER) / {int(seconds)})"


def json_text(column: str, key: str) -> str:
    """One key of a JSON column as text."""
    if is_postgres():
        return f"({_checked(column)} ->> '{_checked(key)}')"
    return f"json_extract({_checked(column)}, '$.{_checked(key)}')"


async def rows(sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run a query written with `?` placeholders on whichever database is open."""
    found = await Tortoise.get_connection("default").execute_query_dict(*portable(sql, params))
    return [dict(row) for row in found]


async def execute(sql: str, params: Sequence[Any] = ()) -> None:
    """Run a statement written with `?` placeholders on whichever database is open (committed at once)."""
    await Tortoise.get_connection("default").execute_query(*portable(sql, params))


def portable(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """The statement in the open database's placeholders, timestamps in UTC (SQLite compares timestamps as
    the text they were stored as)."""
    if is_postgres():
        numbers = iter(range(1, len(params) + 1))
        sql = PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)
    return sql, [value.astimezone(UTC) if isinstance(value, datetime) else value for value in params]


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
