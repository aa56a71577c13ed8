from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from bot.enums import ChatPurpose, Role
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor_id', fields.BigIntField(null=True, db_index=True)),
                ('chat_id', fields.BigIntField(null=True)),
                ('action', fields.CharField(max_length=64)),
                ('target', fields.CharField(default='', max_length=128)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An attributable change of state: who, when, where, what, before and after.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Chat',
            fields=[
                ('id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('type', fields.CharField(max_length=16)),
                ('title', fields.CharField(default='', max_length=255)),
                ('purpose', fields.CharEnumField(null=True, description='TEAM: team\nSUPERVISORS: supervisors\nFINANCE: finance\nWAREHOUSE: warehouse\nREVIEW: review', enum_type=ChatPurpose, max_length=16)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('timezone', fields.CharField(null=True, max_length=64)),
                ('registered_by_id', fields.BigIntField(null=True)),
                ('registered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A chat the bot serves, with the purpose a group was registered for.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(null=True, db_index=True, max_length=64)),
                ('first_name', fields.CharField(default='', max_length=128)),
                ('last_name', fields.CharField(null=True, max_length=128)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A Telegram user the bot has seen, keyed by the Telegram id, which never changes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='PRESALE: presale\nINSALE: insale\nAFTERSALE: aftersale\nREVIEW: review\nSUPERVISOR: supervisor\nMANAGER: manager\nFINANCE: finance\nWAREHOUSE: warehouse', enum_type=Role, max_length=16)),
                ('granted_by_id', fields.BigIntField(null=True)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'role_grant', 'app': 'models', 'unique_together': (('person', 'role'),), 'pk_attr': 'id', 'table_description': 'One role held by one person, with who granted it.'},
            bases=['Model'],
        ),
    ]
