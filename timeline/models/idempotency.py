"""Idempotency-Keys that members' clients sent with their posts, kept for an hour."""

from __future__ import annotations

from django.db import models


class IdempotencyKey(models.Model):
    """An Idempotency-Key one account sent with a post, and what that post made.

    The row is written in the post's own transaction, so a status exists
    exactly when its key does: a retry after any failure either finds the
    first post or makes the only one. Both links are cleared, not cascaded,
    when the post goes away, so a retry within the hour cannot post again.
    """

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    status = models.ForeignKey("timeline.Status", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scheduled_status = models.ForeignKey(
        "timeline.ScheduledStatus", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_once_per_account")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.key}"
