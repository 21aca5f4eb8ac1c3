"""Rows that belong to the whole instance rather than one app."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last moment a background process (the worker or beat) said it was alive.

    One row per process kind, touched every few seconds; /healthz and
    `manage.py checkconfig` read them. A row, not a cache key: the embedded
    mode has no shared cache, and the database is what every process shares.
    """

    class Process(models.TextChoices):
        WORKER = "worker", "worker"
        BEAT = "beat", "beat"

    process = models.CharField(max_length=16, choices=Process.choices, unique=True)
    seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.process} seen at {self.seen_at.isoformat()}"
