from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_shop_days')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeepLink',
            fields=[
                ('token', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=24)),
                ('kind', fields.CharField(max_length=16)),
                ('ref', fields.CharField(max_length=64)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deep_link', 'app': 'models', 'pk_attr': 'token', 'table_description': 'A `t.me/<bot>?start=…` link: a random token standing for what it opens, for one person, expiring.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Chat',
            name='delete_hint_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Record',
            name='erased_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
