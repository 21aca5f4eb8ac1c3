"""Polls attached to statuses, and the votes cast in them."""

from __future__ import annotations

from django.db import models


class Poll(models.Model):
    """A status's poll (an ActivityPub Question); remote polls keep their server's counts."""

    status = models.OneToOneField("timeline.Status", on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField(default=list)
    votes = models.JSONField(default=list)
    multiple = models.BooleanField(default=False)
    voters_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"poll of {self.status_id}"


class PollVote(models.Model):
    """One actor's choice of one option."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="cast_votes")
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField()
    uri = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "account", "choice"], name="poll_vote_once")]

    def __str__(self) -> str:
        return f"{self.account_id} chose {self.choice} in {self.poll_id}"
