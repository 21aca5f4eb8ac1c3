"""Follows: who receives whose statuses."""

from __future__ import annotations

from django.db import models


class Follow(models.Model):
    """One actor following another, pending until accepted when the target is locked."""

    class State(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"

    follower = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="following_set")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="follower_set")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    uri = models.URLField(max_length=500, blank=True, default="")
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "target"], name="follow_once"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("target")), name="follow_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.target_id} ({self.state})"
