"""Add the sequence from which each process takes its id slot (PostgreSQL only; see timeline/ids.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_sequence(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS timeline_id_slot")


def drop_sequence(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS timeline_id_slot")


class Migration(migrations.Migration):
    dependencies = [("timeline", "0008_mention_silent_limited_visibility")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
