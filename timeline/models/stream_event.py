"""Streaming events waiting to cross from the process that sent them to the web process."""

from __future__ import annotations

from django.db import models


class StreamEvent(models.Model):
    """One streaming event and the channel-layer groups it goes to.

    Embedded mode's channel layer lives in the web process's memory, so an
    event sent by the worker (fan-out, inbox) is written here and the web
    process's relay forwards it. Rows are deleted a few minutes later.
    """

    groups = models.JSONField()
    message = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"stream event {self.pk} to {len(self.groups)} groups"
