"""Filters v2: keywords and statuses a member hides or warns about, per context."""

from __future__ import annotations

from django.db import models


class Filter(models.Model):
    """A named filter applying to some contexts until it expires."""

    class Action(models.TextChoices):
        WARN = "warn"
        HIDE = "hide"

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="filters")
    title = models.CharField(max_length=200)
    # A subset of home, notifications, public, thread, account.
    context = models.JSONField(default=list)
    filter_action = models.CharField(max_length=10, choices=Action.choices, default=Action.WARN)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class FilterKeyword(models.Model):
    """A word or phrase that makes a filter match."""

    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=200)
    whole_word = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.keyword


class FilterStatus(models.Model):
    """A single status a filter matches."""

    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name_plural = "filter statuses"
        constraints = [models.UniqueConstraint(fields=["filter", "status"], name="filter_status_once")]

    def __str__(self) -> str:
        return f"{self.filter_id}: {self.status_id}"
