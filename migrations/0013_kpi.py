from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_ledger')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KpiAlias',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('person_id', fields.BigIntField()),
                ('created_by', fields.BigIntField()),
            ],
            options={'table': 'kpi_alias', 'app': 'models', 'pk_attr': 'name', 'table_description': "The name an agent has in the platform's export (a sub-account such as 店铺:小王), mapped once."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KpiDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(db_index=True)),
                ('person_id', fields.BigIntField()),
                ('inquiries', fields.IntField()),
                ('paying', fields.IntField()),
                ('sales', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('response_seconds', fields.FloatField(null=True)),
                ('imported_by', fields.BigIntField()),
                ('imported_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'kpi_day', 'app': 'models', 'unique_together': (('day', 'person_id'),), 'pk_attr': 'id', 'table_description': "One agent's figures for one shop day from the platform's export: one row per (day, person)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Phrase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=64)),
                ('text', fields.TextField(unique=False)),
                ('category', fields.CharField(max_length=16)),
                ('language', fields.CharField(max_length=8)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.BigIntField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'phrase', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An approved quick reply (快捷语): what agents paste to buyers, found by /phrase, never deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StarRound',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('month', fields.DateField()),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField(null=True)),
                ('candidates', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('votes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('star_id', fields.BigIntField(null=True)),
                ('reward', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('created_by', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'star_round', 'app': 'models', 'pk_attr': 'id', 'table_description': "A month's star-agent shortlist for the supervisors: candidates, each supervisor's pick, the star."},
            bases=['Model'],
        ),
    ]
