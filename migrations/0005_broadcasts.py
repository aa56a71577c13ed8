from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_reports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Broadcast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField()),
                ('preview_message_id', fields.BigIntField(null=True)),
                ('target', fields.CharField(max_length=16)),
                ('body', fields.TextField(unique=False)),
                ('photo', fields.CharField(null=True, max_length=255)),
                ('pin', fields.BooleanField(default=False)),
                ('silent', fields.BooleanField(default=False)),
                ('send_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('timezone', fields.CharField(max_length=64)),
                ('state', fields.CharField(default='draft', db_index=True, max_length=12)),
                ('decided_by', fields.BigIntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'broadcast', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An announcement to the registered chats of one purpose, previewed and sent only once confirmed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BroadcastAck',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('broadcast', fields.ForeignKeyField('models.Broadcast', source_field='broadcast_id', db_constraint=True, to_field='id', related_name='acks', on_delete=OnDelete.CASCADE)),
                ('person_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'broadcast_ack', 'app': 'models', 'unique_together': (('broadcast', 'person_id'),), 'pk_attr': 'id', 'table_description': 'Someone pressed Got it under a broadcast: once per person, whichever chat they read it in.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BroadcastDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('broadcast', fields.ForeignKeyField('models.Broadcast', source_field='broadcast_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.BigIntField()),
                ('chat_title', fields.CharField(default='', max_length=255)),
                ('state', fields.CharField(default='pending', max_length=12)),
                ('message_id', fields.BigIntField(null=True)),
                ('error', fields.CharField(null=True, max_length=255)),
                ('pin_error', fields.CharField(null=True, max_length=255)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'broadcast_delivery', 'app': 'models', 'unique_together': (('broadcast', 'chat_id'),), 'pk_attr': 'id', 'table_description': 'One target chat of a broadcast, claimed before sending so each chat gets it once.'},
            bases=['Model'],
        ),
    ]
