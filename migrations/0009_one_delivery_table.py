"""One delivery table for every posting that fans out, with the rows of the four old ways carried over.

Broadcast, shift and rotation deliveries and the digests' part occurrences become `delivery` rows of their
posting's occurrence, and a broadcast keeps its target chats (id and title) on itself. The copy reads and
writes through the historical models inside the migration's transaction, so it runs on SQLite and PostgreSQL.
"""

import functools
from collections.abc import Callable
from datetime import datetime
from json import dumps, loads
from typing import Any

from tortoise import fields, migrations
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

TELEGRAM, COPY = "telegram", "copy"
SENT, FAILED = "sent", "failed"
OWN_KINDS = ("alarm", "lead", "escalation")
"""The occurrence kinds the engine claims itself: any other kind of a digest schedule was one of its parts."""
BATCH = 500


async def carry_over(apps: Any, schema_editor: BaseSchemaEditor) -> None:
    """Copy the old rows into `delivery`, then drop the digests' part occurrences they came from."""
    db = schema_editor.client
    rows = [
        *await broadcast_rows(apps, db),
        # a shift message was recorded without a message id when Telegram refused it
        *await recorded_rows(apps, db, "ShiftDelivery", lambda row: row.part, lambda row: row.message_id is not None),
        *await recorded_rows(apps, db, "RotationDelivery", lambda row: COPY, lambda row: row.state == SENT),
        *await digest_rows(apps, db),
    ]
    await apps.get_model("models", "Delivery").bulk_create(rows, batch_size=BATCH, using_db=db)
    await digest_parts(apps, db).delete()


def delivery(apps: Any, occurrence_id: int, created_at: datetime, **values: Any) -> Any:
    """A new delivery row on Telegram."""
    return apps.get_model("models", "Delivery")(
        occurrence_id=occurrence_id, channel=TELEGRAM, created_at=created_at, **values
    )


async def broadcast_rows(apps: Any, db: BaseDBAsyncClient) -> list[Any]:
    """Each broadcast's target chats onto the broadcast, and what was sent onto its posting's occurrence."""
    broadcasts = apps.get_model("models", "Broadcast")
    old = apps.get_model("models", "BroadcastDelivery")
    occurrences = apps.get_model("models", "Occurrence")
    out = []
    for broadcast in await broadcasts.all().using_db(db).order_by("id"):
        targets = await old.filter(broadcast_id=broadcast.id).using_db(db).order_by("id")
        chats = [{"id": row.chat_id, "title": row.chat_title} for row in targets]
        await broadcasts.filter(id=broadcast.id).using_db(db).update(target_chats=chats)
        posting = (
            await occurrences.filter(
                schedule__kind="broadcast", schedule__ref=f"broadcast:{broadcast.id}", kind="alarm"
            )
            .using_db(db)
            .order_by("-id")
            .first()
        )
        if posting is None:  # not posted yet: its posting will claim each chat
            continue
        out += [
            delivery(
                apps,
                posting.id,
                row.sent_at or posting.due_at,
                recipient=row.chat_id,
                part=COPY,
                state=row.state,
                message_id=row.message_id,
                error=row.error,
                extra={"pin_error": row.pin_error} if row.pin_error else {},
                sent_at=row.sent_at,
            )
            for row in targets
        ]
    return out


async def recorded_rows(
    apps: Any, db: BaseDBAsyncClient, model: str, part: Callable[[Any], str], sent: Callable[[Any], bool]
) -> list[Any]:
    """Rows kept per occurrence once the message was sent or refused (shift and rotation deliveries)."""
    return [
        delivery(
            apps,
            row.occurrence_id,
            row.sent_at,
            recipient=row.recipient,
            part=part(row),
            state=SENT if sent(row) else FAILED,
            message_id=row.message_id,
            sent_at=row.sent_at if sent(row) else None,
        )
        for row in await apps.get_model("models", model).all().using_db(db).order_by("id")
    ]


def digest_parts(apps: Any, db: BaseDBAsyncClient) -> Any:
    """The occurrences that were digest parts (dfile, dlist, dt0 and so on)."""
    occurrences = apps.get_model("models", "Occurrence")
    return occurrences.filter(schedule__kind="digest").exclude(kind__in=OWN_KINDS).using_db(db)


async def digest_rows(apps: Any, db: BaseDBAsyncClient) -> list[Any]:
    """Each part as a delivery of the posting it belongs to (the engine claims a posting before its parts)."""
    occurrences = apps.get_model("models", "Occurrence")
    postings = {
        (posting.schedule_id, posting.due_at): posting.id
        for posting in await occurrences.filter(schedule__kind="digest", kind="alarm").using_db(db)
    }
    return [
        delivery(
            apps,
            postings[part.schedule_id, part.due_at],
            part.sent_at or part.due_at,
            recipient=part.chat_id,
            part=part.kind,
            state=part.state,
            message_id=part.message_id,
            sent_at=part.sent_at,
        )
        for part in await digest_parts(apps, db).order_by("id")
        if (part.schedule_id, part.due_at) in postings
    ]


class Migration(migrations.Migration):
    dependencies = [('models', '0008_alarm_outcome')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurrence', fields.ForeignKeyField('models.Occurrence', source_field='occurrence_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(default='telegram', max_length=16)),
                ('recipient', fields.BigIntField()),
                ('part', fields.CharField(max_length=16)),
                ('state', fields.CharField(default='pending', max_length=12)),
                ('message_id', fields.BigIntField(null=True)),
                ('error', fields.CharField(null=True, max_length=255)),
                ('extra', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'delivery', 'app': 'models', 'unique_together': (('occurrence', 'channel', 'recipient', 'part'),), 'indexes': [Index(fields=['recipient', 'part'])], 'pk_attr': 'id', 'table_description': 'One message of a posting to one recipient on one channel, claimed before it is sent so it goes once.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Broadcast',
            name='target_chats',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.RunPython(carry_over),
        ops.DeleteModel(name='BroadcastDelivery'),
        ops.DeleteModel(name='RotationDelivery'),
        ops.DeleteModel(name='ShiftDelivery'),
    ]
