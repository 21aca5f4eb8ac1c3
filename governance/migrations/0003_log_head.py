# Creates the log's head row, so that the first appends never race to create it.

from django.db import migrations


def create_log_head(apps, schema_editor):
    LogHead = apps.get_model("governance", "LogHead")
    LogHead.objects.get_or_create(pk=1, defaults={"sequence": 0, "entry_hash": "0" * 64})


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0002_proposals_log_moderation"),
    ]

    operations = [
        migrations.RunPython(create_log_head, migrations.RunPython.noop),
    ]
