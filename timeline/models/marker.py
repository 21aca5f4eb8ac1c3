"""Read positions a member's apps share (Mastodon's markers)."""

from __future__ import annotations

from django.db import models


class Marker(models.Model):
    """The last read id of one timeline for one account; `version` counts updates."""

    class Timeline(models.TextChoices):
        HOME = "home"
        NOTIFICATIONS = "notifications"

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="markers")
    timeline = models.CharField(max_length=20, choices=Timeline.choices)
    last_read_id = models.CharField(max_length=30)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "timeline"], name="marker_once")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.timeline} at {self.last_read_id}"
