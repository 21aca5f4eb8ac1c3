"""Media attached to statuses: local uploads and references to remote files."""

from __future__ import annotations

from django.db import models

from timeline.ids import snowflake_id


class MediaAttachment(models.Model):
    """An image, video or audio file uploaded by a local actor or referenced by a remote status.

    Uploads exist before the status that uses them (`status` is empty until
    then). Files are stored under names the server chooses, never under a
    name that came from a client or a remote server.
    """

    class Type(models.TextChoices):
        IMAGE = "image"
        GIFV = "gifv"
        VIDEO = "video"
        AUDIO = "audio"
        UNKNOWN = "unknown"

    class State(models.TextChoices):
        PROCESSING = "processing"
        READY = "ready"
        FAILED = "failed"

    id = models.BigIntegerField(primary_key=True, default=snowflake_id, editable=False)
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="media")
    status = models.ForeignKey(
        "timeline.Status", null=True, blank=True, on_delete=models.SET_NULL, related_name="media"
    )
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.UNKNOWN)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    file = models.FileField(upload_to="media/original/", blank=True, max_length=300)
    thumbnail = models.FileField(upload_to="media/small/", blank=True, max_length=300)
    content_type = models.CharField(max_length=100, blank=True, default="")
    file_size = models.BigIntegerField(default=0)
    remote_url = models.URLField(max_length=2000, blank=True, default="")
    # When a remote file was copied here (`file` and `thumbnail`); empty while only referenced.
    cached_at = models.DateTimeField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    blurhash = models.CharField(max_length=100, blank=True, default="")
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    # Mastodon's `meta` object: original/small sizes, aspect, duration.
    meta = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="media_account_recent")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
