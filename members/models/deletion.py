"""Account deletions: the request, its grace period, and the receipt of who was told."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountDeletion(models.Model):
    """A member's request to be erased, kept after erasure as the record behind their receipt.

    The member reads the receipt with a secret token; only its SHA-256 is
    stored. `servers` lists the hosts named in the notice sent before
    erasure; `activity_ids` the outbound Delete activities whose delivery
    rows say which servers acknowledged.
    """

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        ERASED = "erased", _("Erased")

    # Cleared at erasure, so the receipt no longer links the handle to the pseudonymised login.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="account_deletions"
    )
    actor = models.ForeignKey("federation.Actor", on_delete=models.PROTECT, related_name="+")
    # The handle at the time of the request, shown on the receipt (the username stays reserved).
    handle = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    requested_at = models.DateTimeField()
    erase_after = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    receipt_token_hash = models.CharField(max_length=64, unique=True)
    servers = models.JSONField(default=list, blank=True)
    activity_ids = models.JSONField(default=list, blank=True)
    kept = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(state="scheduled"), name="one_scheduled_deletion_per_user"
            ),
        ]
        indexes = [
            models.Index(fields=["erase_after"], name="deletion_due", condition=models.Q(state="scheduled")),
        ]

    def __str__(self) -> str:
        return f"Deletion of {self.handle} ({self.state})"
