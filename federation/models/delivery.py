"""Outbound activities, one delivery row per distinct inbox, and the state of each remote host."""

from __future__ import annotations

from django.db import models


class OutboundActivity(models.Model):
    """An activity this server sends, kept whole so every delivery signs the same body."""

    actor = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="outbound_activities")
    activity_id = models.URLField(max_length=500, unique=True)
    activity_type = models.CharField(max_length=40)
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "outbound activities"

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_id}"


class Delivery(models.Model):
    """One POST of an activity to one inbox, retried with growing back-off until it succeeds.

    Pending rows whose `next_attempt_at` has come are the work queue; a
    worker's claim moves `next_attempt_at` to the end of its lease. A
    delivery is sent at least once, and the receiving server deduplicates by
    activity id. `last_error` and `last_attempt_at` describe the latest
    attempt, for the queue's view.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"
        ABANDONED = "abandoned"

    activity = models.ForeignKey(OutboundActivity, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    host = models.CharField(max_length=255)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["activity", "inbox"], name="delivery_once_per_inbox")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="delivery_due", condition=models.Q(state="pending")),
            models.Index(fields=["host", "state"], name="delivery_host_state"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} -> {self.inbox} ({self.state})"


class RemoteHost(models.Model):
    """What this server knows of a remote host's availability.

    `failure_days` lists the distinct days deliveries failed since the last
    success; after 7 the host is unavailable and skipped until it answers
    again. `circuit_open_until` pauses deliveries after a run of consecutive
    failures, so one dead host does not occupy the workers.
    """

    host = models.CharField(max_length=255, unique=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failure_days = models.JSONField(default=list, blank=True)
    unavailable = models.BooleanField(default=False)
    circuit_open_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.host
