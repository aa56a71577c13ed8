from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_personal_search_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='HandledUpdate',
            name='done_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Updates taken before this were handled before their instance answered Telegram.
        ops.RunSQL("UPDATE handled_update SET done_at = handled_at"),
    ]
