"""Domain policies: how this server treats another server's traffic."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class DomainPolicy(models.Model):
    """A limit, suspension or note on a remote domain, enforced on inbound and outbound traffic.

    Severities keep Mastodon's names: `silence` is what people call "limit".
    Subdomains inherit the policy of a parent domain.
    """

    class Severity(models.TextChoices):
        SILENCE = "silence"
        SUSPEND = "suspend"
        NOOP = "noop"

    domain = models.CharField(max_length=255, unique=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.SILENCE)
    reject_media = models.BooleanField(default=False)
    reject_reports = models.BooleanField(default=False)
    public_comment = models.TextField(blank=True, default="")
    private_comment = models.TextField(blank=True, default="")
    obfuscate = models.BooleanField(default=False)
    authorised_by = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "domain policies"
        constraints = [
            models.CheckConstraint(condition=models.Q(domain=Lower("domain")), name="policy_domain_lower"),
            models.CheckConstraint(condition=~models.Q(authorised_by=""), name="policy_authorised"),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.severity}"

    @property
    def is_suspended(self) -> bool:
        """Return whether all traffic with the domain is refused."""
        return self.severity == self.Severity.SUSPEND
