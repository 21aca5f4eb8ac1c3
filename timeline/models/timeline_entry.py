"""Home timeline entries, written by fan-out."""

from __future__ import annotations

from django.db import models


class TimelineEntry(models.Model):
    """A status placed in a local actor's home timeline."""

    owner = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="home_entries")
    status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name_plural = "timeline entries"
        constraints = [
            models.UniqueConstraint(fields=["owner", "status"], name="timeline_entry_once"),
        ]
        indexes = [models.Index(fields=["owner", "-status"], name="timeline_owner_recent")]

    def __str__(self) -> str:
        return f"{self.status_id} for {self.owner_id}"
