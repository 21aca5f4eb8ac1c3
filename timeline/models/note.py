"""Private notes a member keeps about other accounts."""

from __future__ import annotations

from django.db import models


class AccountNote(models.Model):
    """A private comment an actor wrote about another account, shown only to its writer."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="account_notes")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    comment = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "target"], name="account_note_once")]

    def __str__(self) -> str:
        return f"{self.account_id} about {self.target_id}"
