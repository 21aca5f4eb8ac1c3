"""The bylaws' settings, versioned: every change is a new version adopted by a decision."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db import models

# Version 1 is in force from the start of time, so that any moment has bylaws.
FOUNDING_EFFECTIVE_AT = datetime(1970, 1, 1, tzinfo=UTC)
FOUNDING_AUTHORITY = "Founding bylaws"


class BylawsVersion(models.Model):
    """One version of the settings the bylaws fix, in force from `effective_at` until the next.

    Versions are never edited: an amendment adds a version. Fields other than
    the version's own bookkeeping are the settings an amendment may change.
    """

    version = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField()
    authorised_by = models.CharField(max_length=200, help_text="The founding bylaws or the decision that amended them.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Membership.
    minimum_voting_shares = models.PositiveIntegerField(default=1)
    applicants_may_post = models.BooleanField(default=False)
    admission_requires_approval = models.BooleanField(default=True)
    # Dues: a month counts as paid when payments covering it reach the minimum;
    # `dues_grace_months` unpaid months within the window end good standing.
    dues_monthly_minimum = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1.00"))
    dues_grace_months = models.PositiveIntegerField(default=3)
    dues_window_months = models.PositiveIntegerField(default=12)
    # Decisions (read by governance).
    proposal_min_open_days = models.PositiveIntegerField(default=6)
    proposal_quorum = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.200"))
    proposal_pass_threshold = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.500"))
    proposal_block_override = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.900"))
    amendment_min_open_days = models.PositiveIntegerField(default=10)
    amendment_pass_threshold = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.750"))
    amendment_block_override = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.950"))
    emergency_ratification_days = models.PositiveIntegerField(default=14)
    # Leaving and capital.
    deletion_grace_days = models.PositiveIntegerField(default=14)
    # Whether a member may skip the grace period and be erased at once.
    deletion_immediate_allowed = models.BooleanField(default=True)
    redemption_payout_days = models.PositiveIntegerField(default=365)
    capital_interest_allowed = models.BooleanField(default=False)
    capital_interest_max_rate = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.000"))
    patronage_min_reserve_fraction = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.300"))
    # Which ownership changes only the assembly may make (by a proposal); the others are the officers'.
    assembly_decides_share_classes = models.BooleanField(default=True)
    assembly_decides_dues_tiers = models.BooleanField(default=False)
    assembly_decides_patronage = models.BooleanField(default=True)
    # Whether the public moderation log calls this server's members "member #<pseudonym>"
    # rather than by their handle (remote accounts are always named as the fediverse knows them).
    log_pseudonymises_members = models.BooleanField(default=True)
    # Retention, in days.
    retention_register_days = models.PositiveIntegerField(default=3650)
    retention_dues_days = models.PositiveIntegerField(default=2555)
    retention_applications_days = models.PositiveIntegerField(default=365)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposal_quorum__gte=0, proposal_quorum__lte=1)
                & models.Q(proposal_pass_threshold__gte=0, proposal_pass_threshold__lte=1)
                & models.Q(proposal_block_override__gte=0, proposal_block_override__lte=1)
                & models.Q(amendment_pass_threshold__gte=0, amendment_pass_threshold__lte=1)
                & models.Q(amendment_block_override__gte=0, amendment_block_override__lte=1)
                & models.Q(capital_interest_max_rate__gte=0, capital_interest_max_rate__lte=1)
                & models.Q(patronage_min_reserve_fraction__gte=0, patronage_min_reserve_fraction__lte=1),
                name="bylaws_fractions_between_0_and_1",
            ),
            models.CheckConstraint(condition=models.Q(minimum_voting_shares__gte=1), name="bylaws_min_voting_shares"),
        ]

    def __str__(self) -> str:
        return f"Bylaws v{self.version}"


# The settings an amendment may change: every field but the version's bookkeeping.
BYLAWS_SETTINGS: tuple[str, ...] = (
    "minimum_voting_shares",
    "applicants_may_post",
    "admission_requires_approval",
    "dues_monthly_minimum",
    "dues_grace_months",
    "dues_window_months",
    "proposal_min_open_days",
    "proposal_quorum",
    "proposal_pass_threshold",
    "proposal_block_override",
    "amendment_min_open_days",
    "amendment_pass_threshold",
    "amendment_block_override",
    "emergency_ratification_days",
    "deletion_grace_days",
    "deletion_immediate_allowed",
    "redemption_payout_days",
    "capital_interest_allowed",
    "capital_interest_max_rate",
    "patronage_min_reserve_fraction",
    "assembly_decides_share_classes",
    "assembly_decides_dues_tiers",
    "assembly_decides_patronage",
    "log_pseudonymises_members",
    "retention_register_days",
    "retention_dues_days",
    "retention_applications_days",
)
