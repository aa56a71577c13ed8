from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_pii')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('reason', fields.CharField(max_length=200)),
                ('rule', fields.CharField(null=True, max_length=32)),
                ('actor_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField(null=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('appeal', fields.CharField(null=True, max_length=300)),
                ('appealed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(null=True, max_length=12)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_by_id', fields.BigIntField(null=True)),
                ('cancel_reason', fields.CharField(null=True, max_length=300)),
            ],
            options={'table': 'ledger_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A fine or a reward for one person: the team fund\'s book (奖惩), published monthly, never deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('kind', fields.CharField(max_length=8)),
                ('amounts', fields.CharField(max_length=120)),
                ('description', fields.CharField(default='', max_length=200)),
                ('active', fields.BooleanField(default=True)),
                ('set_by_id', fields.BigIntField()),
                ('set_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'ledger_rule', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A named offence or deed with its fixed amounts, escalating by how often it happened in the month.'},
            bases=['Model'],
        ),
    ]
