"""Tombstones: ids of deleted objects that must never be imported again."""

from __future__ import annotations

from django.db import models


class Tombstone(models.Model):
    """A deleted object's id; a Delete may arrive before its Create, so either can come first."""

    uri = models.URLField(max_length=500, unique=True)
    deleted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.uri
