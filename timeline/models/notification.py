"""Notifications of local actors, with Mastodon's types."""

from __future__ import annotations

from django.db import models


class Notification(models.Model):
    """Something that happened to a local actor: a follow, a mention, a like."""

    class Type(models.TextChoices):
        MENTION = "mention"
        STATUS = "status"
        REBLOG = "reblog"
        FOLLOW = "follow"
        FOLLOW_REQUEST = "follow_request"
        FAVOURITE = "favourite"
        POLL = "poll"
        UPDATE = "update"
        MOVE = "move"
        ADMIN_SIGN_UP = "admin.sign_up"
        ADMIN_REPORT = "admin.report"

    recipient = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="notifications")
    from_account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.ForeignKey("timeline.Status", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "type", "from_account", "status"],
                name="notification_once",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["recipient", "-id"], name="notification_recent")]

    def __str__(self) -> str:
        return f"{self.type} for {self.recipient_id}"
