"""How applicants and members pay the co-op, as its treasurer writes it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PaymentInstructions(models.Model):
    """One row (pk 1): the text shown to whoever owes share capital or dues; empty until a treasurer writes it."""

    # Plain text: shown escaped, with its line breaks kept and its web addresses made links.
    text = models.TextField(blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "payment instructions"

    def __str__(self) -> str:
        return "payment instructions"
