from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_kpi')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order_no', fields.CharField(db_index=True, max_length=32)),
                ('buyer', fields.CharField(null=True, max_length=64)),
                ('phone', fields.CharField(null=True, max_length=16)),
                ('note', fields.CharField(default='', max_length=255)),
                ('silent', fields.BooleanField(default=False)),
                ('owner_id', fields.BigIntField(db_index=True)),
                ('author_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField()),
                ('state', fields.CharField(default='open', db_index=True, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_try_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('called_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('flagged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'follow_up', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A buyer to follow up after the deal (回访): whose customer, whose follow-up, until done or overdue.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeaveRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField(db_index=True)),
                ('first_day', fields.DateField()),
                ('last_day', fields.DateField()),
                ('reason', fields.CharField(max_length=255)),
                ('short_notice', fields.BooleanField(default=False)),
                ('state', fields.CharField(default='asked', db_index=True, max_length=12)),
                ('chat_id', fields.BigIntField()),
                ('decided_by', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'leave_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Days off asked of the supervisors (请假): approved leave takes those days off the roster.'},
            bases=['Model'],
        ),
    ]
