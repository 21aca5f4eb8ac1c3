"""Favourites and blocks between actors and statuses."""

from __future__ import annotations

from django.db import models


class Favourite(models.Model):
    """An actor's like of a status."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="favourites")
    status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="favourites")
    uri = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "status"], name="favourite_once")]

    def __str__(self) -> str:
        return f"{self.account_id} likes {self.status_id}"


class Block(models.Model):
    """An actor blocking another: no follows either way, no statuses or notifications from the target."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="blocks")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="blocked_by")
    uri = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="block_once"),
            models.CheckConstraint(condition=~models.Q(account=models.F("target")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} blocks {self.target_id}"
