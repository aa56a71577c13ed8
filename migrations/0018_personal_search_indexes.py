"""Indexes on the personal fields a record keeps in its JSON data (real name, Alipay account).

Finance, supervisors and managers may /find and /buyer by them in private; without an index each search read
every record (130 ms at 100,000 records, and it grows with the table). The expressions are the ones
`bot/services/sql_portable.json_text` writes, so each database's planner matches them.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

KEYS = ("name", "alipay")


def expression(dialect: str, key: str) -> str:
    """One key of the data column as text, written as the searches write it."""
    return f"(data ->> '{key}')" if dialect == "postgres" else f"json_extract(data, '$.{key}')"


async def create(apps: Any, schema_editor: BaseSchemaEditor) -> None:
    """An index per key, in the dialect of the database being migrated."""
    db = schema_editor.client
    for key in KEYS:
        await db.execute_query(
            f"CREATE INDEX idx_record_data_{key} ON record ({expression(db.capabilities.dialect, key)})"
        )


async def drop(apps: Any, schema_editor: BaseSchemaEditor) -> None:
    """Undo `create`."""
    for key in KEYS:
        await schema_editor.client.execute_query(f"DROP INDEX idx_record_data_{key}")


class Migration(migrations.Migration):
    dependencies = [('models', '0017_alarm_numbers')]

    initial = False

    operations = [ops.RunPython(create, drop)]
