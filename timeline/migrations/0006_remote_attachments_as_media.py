"""Turn the attachments stored as JSON on remote statuses into MediaAttachment rows, then drop the JSON."""

from typing import Any

from django.db import migrations

KINDS = ("image", "video", "audio")


def copy_attachments(apps: Any, schema_editor: Any) -> None:
    """Create one remote MediaAttachment per attachment a status held as JSON (files stay remote)."""
    status_model = apps.get_model("timeline", "Status")
    media_model = apps.get_model("timeline", "MediaAttachment")
    rows = []
    for status in status_model.objects.exclude(attachments=[]).iterator():
        items = status.attachments if isinstance(status.attachments, list) else []
        for position, item in enumerate(item for item in items if isinstance(item, dict) and item.get("url")):
            media_type = str(item.get("mediaType") or item.get("media_type") or "")[:100]
            family = media_type.split("/", 1)[0]
            width, height = item.get("width"), item.get("height")
            meta = {}
            if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
                size = {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}
                meta = {"original": size, "small": size}
            rows.append(
                media_model(
                    account_id=status.account_id,
                    status_id=status.pk,
                    type=family if family in KINDS else "unknown",
                    state="ready",
                    content_type=media_type,
                    remote_url=str(item["url"])[:2000],
                    description=str(item.get("name") or item.get("description") or "")[:1500],
                    blurhash=str(item.get("blurhash") or "")[:100],
                    meta=meta,
                    position=position,
                )
            )
    media_model.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0005_notes_conversations"),
    ]

    operations = [
        migrations.RunPython(copy_attachments, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="status",
            name="attachments",
        ),
    ]
