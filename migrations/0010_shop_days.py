from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_one_delivery_table')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ShopDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('kind', fields.CharField(max_length=4)),
                ('note', fields.CharField(default='', max_length=100)),
                ('created_by', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'shop_day', 'app': 'models', 'pk_attr': 'id', 'table_description': "A day the shop closes (off) or opens (work) against China's calendar, for working-day schedules."},
            bases=['Model'],
        ),
    ]
