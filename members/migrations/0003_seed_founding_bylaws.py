"""Seed version 1 of the bylaws with the founding settings."""

from datetime import UTC, datetime

from django.db import migrations


def seed(apps, schema_editor):
    BylawsVersion = apps.get_model("members", "BylawsVersion")
    if not BylawsVersion.objects.exists():
        BylawsVersion.objects.create(
            version=1, effective_at=datetime(1970, 1, 1, tzinfo=UTC), authorised_by="Founding bylaws"
        )


def unseed(apps, schema_editor):
    apps.get_model("members", "BylawsVersion").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0002_membership_register_dues")]

    operations = [migrations.RunPython(seed, unseed)]
