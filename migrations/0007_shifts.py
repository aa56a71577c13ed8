from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_rotations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HandoverItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text', fields.CharField(max_length=500)),
                ('urgent', fields.BooleanField(default=False)),
                ('warehouse', fields.BooleanField(default=False)),
                ('call_buyer', fields.CharField(null=True, max_length=64)),
                ('author_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('first_posted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_by', fields.BigIntField(null=True)),
                ('done_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'handover_item', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An entry of the handover book (交接记录) for the next shift, open until somebody ticks it off.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShiftDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurrence', fields.ForeignKeyField('models.Occurrence', source_field='occurrence_id', db_constraint=True, to_field='id', related_name='shift_deliveries', on_delete=OnDelete.CASCADE)),
                ('recipient', fields.BigIntField()),
                ('part', fields.CharField(max_length=12)),
                ('message_id', fields.BigIntField(null=True)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'shift_delivery', 'app': 'models', 'unique_together': (('occurrence', 'recipient', 'part'),), 'pk_attr': 'id', 'table_description': 'One message of a shift posting to one recipient, kept so a retry or restart never sends it twice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShiftType',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=16)),
                ('start', fields.IntField()),
                ('end', fields.IntField()),
                ('summer_start', fields.IntField(null=True)),
                ('summer_end', fields.IntField(null=True)),
                ('summer_from', fields.CharField(default='05-01', max_length=5)),
                ('summer_to', fields.CharField(default='09-30', max_length=5)),
                ('remind_minutes', fields.IntField(default=30)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'shift_type', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A kind of shift (day, night): winter hours and optional summer hours, as minutes of the local day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RosterShift',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('day', fields.DateField(db_index=True)),
                ('shift_type', fields.ForeignKeyField('models.ShiftType', source_field='shift_type_id', db_constraint=True, to_field='id', related_name='roster', on_delete=OnDelete.CASCADE)),
                ('created_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'roster_shift', 'app': 'models', 'unique_together': (('person_id', 'day', 'shift_type'),), 'pk_attr': 'id', 'table_description': 'One person working one shift type on one local date of the monthly roster.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SwapRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requester_id', fields.BigIntField()),
                ('other_id', fields.BigIntField()),
                ('day', fields.DateField()),
                ('their_day', fields.DateField(null=True)),
                ('state', fields.CharField(default='asked', db_index=True, max_length=12)),
                ('chat_id', fields.BigIntField()),
                ('decided_by', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'swap_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A proposed exchange of shifts, waiting for the other person and then a supervisor.'},
            bases=['Model'],
        ),
    ]
