"""Lists: named sets of followed accounts with their own timeline."""

from __future__ import annotations

from django.db import models


class List(models.Model):
    """A member's named list of accounts they follow."""

    class RepliesPolicy(models.TextChoices):
        FOLLOWED = "followed"
        LIST = "list"
        NONE = "none"

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="lists")
    title = models.CharField(max_length=200)
    replies_policy = models.CharField(max_length=10, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST)
    exclusive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class ListAccount(models.Model):
    """One account on a list."""

    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="entries")
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["list", "account"], name="list_account_once")]

    def __str__(self) -> str:
        return f"{self.account_id} on list {self.list_id}"
