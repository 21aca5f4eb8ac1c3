"""Inbox items: verified activities stored before they are processed, and the personal inboxes they reached."""

from __future__ import annotations

from django.db import models


class InboxItem(models.Model):
    """An activity that passed verification, kept until a handler has processed it.

    The activity id is unique, so a redelivered activity is stored once.
    `state` records the work: received items are queued, and recovery queues
    again those whose processing never finished.
    """

    class State(models.TextChoices):
        RECEIVED = "received"
        PROCESSED = "processed"
        IGNORED = "ignored"
        FAILED = "failed"

    activity_id = models.URLField(max_length=500, unique=True)
    activity_type = models.CharField(max_length=40)
    actor_uri = models.URLField(max_length=500)
    body = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["received_at"], name="inbox_item_unprocessed", condition=models.Q(state="received")),
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_id} ({self.state})"


class InboxRecipient(models.Model):
    """A local account whose personal inbox an activity was delivered to.

    A server that hides its followers addresses a followers-only post to a
    collection nobody here can expand and delivers it to each follower's
    personal inbox; the inbox it came through is then the only sign of who
    may read it. Each personal inbox is recorded once per activity, the
    first delivery's and any later one's, and `handled_at` stays empty until
    the handler has given that account what the activity gives it.
    """

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="recipients")
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "account"], name="inbox_recipient_once"),
        ]
        indexes = [
            models.Index(fields=["received_at"], name="inbox_recipient_unhandled", condition=models.Q(handled_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} to {self.account_id}"
