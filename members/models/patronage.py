"""Patronage: an assembly-approved allocation of a surplus and each member's statement."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PatronageAllocation(models.Model):
    """A surplus divided by a recorded formula over recorded inputs.

    `formula` holds the reserve fraction and the pools; `inputs` holds each
    member's measures at the time, so the statements can be recomputed and
    checked from this row alone.
    """

    label = models.CharField(max_length=100, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    surplus = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    reserve_amount = models.DecimalField(max_digits=14, decimal_places=2)
    formula = models.JSONField()
    inputs = models.JSONField()
    authorised_by = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.CheckConstraint(condition=models.Q(surplus__gte=0), name="patronage_surplus_not_negative"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="patronage_period"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class PatronageStatement(models.Model):
    """What one member receives from one pool of an allocation, and the measure behind it."""

    allocation = models.ForeignKey(PatronageAllocation, on_delete=models.PROTECT, related_name="statements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patronage_statements")
    pool = models.CharField(max_length=100)
    measure = models.CharField(max_length=30)
    measure_value = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["allocation", "user", "pool"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "user", "pool"], name="patronage_statement_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="patronage_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.amount} from {self.pool}"
