from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_handled_update')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Schedule',
            name='number',
            field=fields.IntField(null=True, unique=True),
        ),
        # Alarms and watches made before this are numbered in the order they were made.
        ops.RunSQL(
            "UPDATE schedule SET number = (SELECT COUNT(*) FROM schedule s2 WHERE s2.id <= schedule.id "
            "AND s2.kind IN ('shelf', 'snooze', 'refund_watch', 'presale')) "
            "WHERE kind IN ('shelf', 'snooze', 'refund_watch', 'presale')"
        ),
    ]
