from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_schedules')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Record',
            index=Index(fields=['kind', 'created_at']),
        ),
        ops.AddIndex(
            model_name='RecordEvent',
            index=Index(fields=['record_id', 'action', 'at']),
        ),
    ]
