from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from bot.enums import RecordKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_init')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Record',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='REFUND: refund\nCOURIER: courier\nCOMPLAINT: complaint\nPROBLEM: problem\nREVIEW: review', enum_type=RecordKind, max_length=16)),
                ('number', fields.IntField()),
                ('status', fields.CharField(max_length=16)),
                ('subkind', fields.CharField(null=True, max_length=32)),
                ('order_no', fields.CharField(null=True, db_index=True, max_length=32)),
                ('tracking_no', fields.CharField(null=True, db_index=True, max_length=32)),
                ('buyer', fields.CharField(null=True, db_index=True, max_length=64)),
                ('phone', fields.CharField(null=True, db_index=True, max_length=16)),
                ('address', fields.CharField(null=True, db_index=True, max_length=255)),
                ('amount', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('deadline_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('author_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'record', 'app': 'models', 'unique_together': (('kind', 'number'),), 'pk_attr': 'id', 'table_description': 'One row of a team spreadsheet: refund, courier query, complaint slip, problem order or review case.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecordCard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField()),
                ('record', fields.ForeignKeyField('models.Record', source_field='record_id', db_constraint=True, to_field='id', related_name='cards', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'record_card', 'app': 'models', 'unique_together': (('chat_id', 'message_id'),), 'pk_attr': 'id', 'table_description': 'A bot message showing a record, so a reply to it can add a note or a photo to that record.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecordEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('record', fields.ForeignKeyField('models.Record', source_field='record_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('actor_id', fields.BigIntField()),
                ('action', fields.CharField(max_length=16)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'record_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The history of a record: created, status changed, edited, note, attachment, voided.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamSetting',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.CharField(max_length=255)),
            ],
            options={'table': 'team_setting', 'app': 'models', 'pk_attr': 'key', 'table_description': 'A team rule that differs from the default (order number length, amount limit, thresholds).'},
            bases=['Model'],
        ),
    ]
