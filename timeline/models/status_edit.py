"""Earlier versions of edited statuses and statuses waiting to be published."""

from __future__ import annotations

from django.db import models


class StatusEdit(models.Model):
    """A snapshot of a status as it was at `created_at` (Mastodon's status history)."""

    status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, default="")
    spoiler_text = models.CharField(max_length=500, blank=True, default="")
    sensitive = models.BooleanField(default=False)
    # Option titles of the poll at this version, if it had one.
    poll_options = models.JSONField(default=list, blank=True)
    # Ids of the media attachments at this version, in order.
    media_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="status_edit_order")]

    def __str__(self) -> str:
        return f"{self.status_id} at {self.created_at}"


class ScheduledStatus(models.Model):
    """A status to be published at `scheduled_at` with the parameters given when it was scheduled."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="scheduled_statuses")
    scheduled_at = models.DateTimeField()
    params = models.JSONField(default=dict)
    media_ids = models.JSONField(default=list, blank=True)
    published_status = models.ForeignKey(
        "timeline.Status", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "scheduled statuses"
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                name="scheduled_status_due",
                condition=models.Q(published_status__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} at {self.scheduled_at}"
