"""The co-op's charter: what it is for and how it works, versioned."""

from __future__ import annotations

from django.db import models


class CharterVersion(models.Model):
    """One version of the charter text shown on the landing page."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField()
    effective_at = models.DateTimeField()
    adopted_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
