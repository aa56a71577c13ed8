from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_shifts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Occurrence',
            name='outcome',
            field=fields.CharField(null=True, max_length=8),
        ),
        # Before this, a press of Snooze was stored like Done; nothing tells them apart, so count both as done.
        ops.RunSQL("UPDATE occurrence SET outcome = 'done' WHERE acked_by IS NOT NULL"),
    ]
