"""The settings administrators change in the web app: the server's public name and contact."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InstanceSettings(models.Model):
    """One row (pk 1) of settings; an empty field falls back to the deployment's configuration."""

    title = models.CharField(max_length=100, blank=True, default="")
    contact_email = models.EmailField(blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "instance settings"

    def __str__(self) -> str:
        return self.title or "instance settings"
