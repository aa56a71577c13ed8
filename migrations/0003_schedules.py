from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_records')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Schedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('chat_id', fields.BigIntField(db_index=True)),
                ('owner_id', fields.BigIntField()),
                ('rule', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('timezone', fields.CharField(max_length=64)),
                ('text', fields.CharField(max_length=300)),
                ('lead_minutes', fields.IntField(null=True)),
                ('escalate_minutes', fields.IntField(null=True)),
                ('ref', fields.CharField(null=True, db_index=True, max_length=64)),
                ('state', fields.CharField(default='active', max_length=12)),
                ('next_due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('next_kind', fields.CharField(null=True, max_length=12)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'schedule', 'app': 'models', 'pk_attr': 'id', 'table_description': "An alarm or deadline watch: its rule in the chat's zone, and the next thing it will post (in UTC)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Occurrence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('schedule', fields.ForeignKeyField('models.Schedule', source_field='schedule_id', db_constraint=True, to_field='id', related_name='occurrences', on_delete=OnDelete.CASCADE)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('kind', fields.CharField(max_length=12)),
                ('state', fields.CharField(default='sending', max_length=12)),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField(null=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acked_by', fields.BigIntField(null=True)),
                ('acked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'occurrence', 'app': 'models', 'unique_together': (('schedule', 'due_at', 'kind'),), 'pk_attr': 'id', 'table_description': 'One posting of a schedule, keyed by (schedule, due time, kind) so it is claimed and posted once.'},
            bases=['Model'],
        ),
    ]
