"""Blocklist mandates: the assembly's standing permission to apply blocks from named lists."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlocklistMandate(models.Model):
    """An assembly's decision that blocks from these sources may be applied, up to a severity.

    Blocks applied under it (by its role's holders through the admin API, or
    by the scheduled import of its sources) cite it instead of a rule. It is
    in force from its adoption until its review is due: the assembly then
    adopts it again, changed or not, or it stops covering new blocks (those
    already applied stay, citing it).
    """

    class Severity(models.TextChoices):
        SILENCE = "silence", _("Limit (silence)")
        SUSPEND = "suspend", _("Suspend")

    proposal = models.OneToOneField("governance.Proposal", on_delete=models.PROTECT, related_name="blocklist_mandate")
    # Each source is {"url": ...} (a CSV fetched on each import) or {"csv": ...} (text adopted with the decision).
    sources = models.JSONField(default=list)
    max_severity = models.CharField(max_length=10, choices=Severity.choices)
    role = models.CharField(max_length=30, help_text="The role whose holders may apply blocks under it.")
    review_months = models.PositiveIntegerField()
    adopted_at = models.DateTimeField()
    review_due_at = models.DateTimeField()
    last_imported_at = models.DateTimeField(null=True, blank=True)
    last_import = models.JSONField(default=dict, blank=True, help_text="What the last import applied and left out.")

    class Meta:
        ordering = ["-adopted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(review_months__gt=0), name="mandate_review_months_positive"),
            models.CheckConstraint(
                condition=models.Q(review_due_at__gt=models.F("adopted_at")), name="mandate_review_after_adoption"
            ),
        ]

    def __str__(self) -> str:
        return f"Blocklist mandate #{self.pk}"

    @property
    def authority(self) -> str:
        """Return how blocks applied under the mandate cite it."""
        return f"Blocklist mandate #{self.pk} (Proposal #{self.proposal_id})"
