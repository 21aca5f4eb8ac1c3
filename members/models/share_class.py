"""Classes of shares the co-op issues."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


class ShareClass(models.Model):
    """A class of shares: its value, holding limits and whether it carries a vote.

    Voting power never comes from the number of shares held: a class that
    carries a vote only makes its holders eligible, one vote each.
    """

    name = models.CharField(max_length=100, unique=True)
    nominal_value = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(max_length=3, default="USD")
    min_per_member = models.PositiveIntegerField(default=1)
    max_per_member = models.PositiveIntegerField(null=True, blank=True)
    carries_vote = models.BooleanField(default=True)
    transferable = models.BooleanField(default=False)
    # Whether the co-op buys these shares back when their holder leaves (at most at nominal value).
    redeemable = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_per_member__isnull=True)
                | models.Q(max_per_member__gte=models.F("min_per_member")),
                name="share_class_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nominal_value} {self.currency})"
