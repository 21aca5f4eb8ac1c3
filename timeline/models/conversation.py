"""Direct-message conversations as each participant sees them."""

from __future__ import annotations

from django.db import models


class Conversation(models.Model):
    """One local actor's view of the direct statuses exchanged with a fixed set of other accounts.

    `participant_key` is the sorted ids of the other participants, so that each
    set of people forms one conversation per owner. It is ordered and paged by
    its last status, as Mastodon pages conversations.
    """

    owner = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="conversations")
    participant_key = models.CharField(max_length=2000)
    participants = models.ManyToManyField("federation.Actor", related_name="+", blank=True)
    last_status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="+")
    unread = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "participant_key"], name="conversation_once")]
        indexes = [models.Index(fields=["owner", "-last_status"], name="conversation_recent")]

    def __str__(self) -> str:
        return f"{self.owner_id} with {self.participant_key}"
