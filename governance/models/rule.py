"""Server rules (the code of conduct), each a series of versions."""

from __future__ import annotations

from django.db import models


class Rule(models.Model):
    """A server rule. Its wording lives in versions; moderation cites a version."""

    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Rule {self.position}"


class RuleVersion(models.Model):
    """One wording of a rule, in force from `effective_at` until the next version.

    Versions are never edited: an amendment adds a version, retirement adds a
    version with `retired` set.
    """

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    hint = models.TextField(blank=True, default="")
    retired = models.BooleanField(default=False)
    effective_at = models.DateTimeField()
    adopted_by = models.CharField(
        max_length=200, help_text="What authorised this version: the founding charter or a decision."
    )

    class Meta:
        ordering = ["rule__position", "version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="rule_version_once"),
        ]

    def __str__(self) -> str:
        return f"Rule {self.rule.position} v{self.version}"
