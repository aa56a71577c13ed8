from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_broadcasts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Rotation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('rule', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_by', fields.BigIntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'rotation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A rota by name (the review groups): members, groups, period, handoff time, overrides, skipped dates.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RotationDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurrence', fields.ForeignKeyField('models.Occurrence', source_field='occurrence_id', db_constraint=True, to_field='id', related_name='rotation_deliveries', on_delete=OnDelete.CASCADE)),
                ('recipient', fields.BigIntField()),
                ('state', fields.CharField(max_length=12)),
                ('message_id', fields.BigIntField(null=True)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rotation_delivery', 'app': 'models', 'unique_together': (('occurrence', 'recipient'),), 'pk_attr': 'id', 'table_description': "One recipient's copy of a handoff posting, so a retry or restart never sends it twice."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Record',
            name='review_group',
            field=fields.SmallIntField(null=True),
        ),
    ]
