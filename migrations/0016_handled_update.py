from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_robots')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HandledUpdate',
            fields=[
                ('update_id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('handled_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'handled_update', 'app': 'models', 'pk_attr': 'update_id', 'table_description': 'A Telegram update id taken by one instance in webhook mode, so a redelivered update is handled once.'},
            bases=['Model'],
        ),
    ]
