from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_followups')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RobotLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField(db_index=True)),
                ('vendor', fields.CharField(max_length=16)),
                ('token', fields.TextField(unique=False)),
                ('secret', fields.TextField(null=True, unique=False)),
                ('hint', fields.CharField(max_length=16)),
                ('linked_by_id', fields.BigIntField()),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('failures', fields.IntField(default=0)),
                ('reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'robot_link', 'app': 'models', 'unique_together': (('chat_id', 'vendor'),), 'pk_attr': 'id', 'table_description': 'A group robot of WeCom or DingTalk that mirrors what the bot posts on its own in one chat.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RobotPerson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.BigIntField()),
                ('vendor', fields.CharField(max_length=16)),
                ('user_id', fields.CharField(null=True, max_length=64)),
                ('mobile', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'robot_person', 'app': 'models', 'unique_together': (('person_id', 'vendor'),), 'pk_attr': 'id', 'table_description': 'Who a team member is in WeCom or DingTalk, so mentions there reach them.'},
            bases=['Model'],
        ),
    ]
