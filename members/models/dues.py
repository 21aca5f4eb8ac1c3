"""Dues: the sliding scale members choose from and the payments recorded against it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DuesTier(models.Model):
    """A step of the sliding scale; the amount is what a member pledges each month.

    `period_months` says how often the pledge is paid (1, 3 or 12 months at a
    time). A sliding-scale tier lets the member choose any monthly amount from
    `monthly_amount` up to `sliding_scale_max`. A hardship tier waives the
    pledge: its amount is zero, and the months a member spends on it owe nothing
    towards good standing.
    """

    name = models.CharField(max_length=100, unique=True)
    monthly_amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    description = models.CharField(max_length=200, blank=True, default="")
    period_months = models.PositiveIntegerField(default=1)
    sliding_scale_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    hardship_waiver = models.BooleanField(default=False)

    class Meta:
        ordering = ["monthly_amount"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gt=0) | models.Q(hardship_waiver=True, monthly_amount=0),
                name="dues_tier_positive_unless_waived",
            ),
            models.CheckConstraint(condition=models.Q(period_months__in=[1, 3, 12]), name="dues_tier_period"),
            models.CheckConstraint(
                condition=models.Q(sliding_scale_max__isnull=True)
                | models.Q(sliding_scale_max__gte=models.F("monthly_amount")),
                name="dues_tier_scale_not_below_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.monthly_amount} {self.currency}/month)"


class DuesTierChoice(models.Model):
    """A member's choice of dues tier from `chosen_at` until their next choice.

    Kept as a history, not only as the membership's current tier, so that
    standing at any past moment (an electorate fixed when a decision opened)
    reads the tier then in force: months under a hardship waiver owe nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dues_tier_choices")
    tier = models.ForeignKey(DuesTier, on_delete=models.PROTECT, related_name="choices")
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["chosen_at", "id"]
        indexes = [models.Index(fields=["user", "chosen_at"], name="dues_choice_user_time")]

    def __str__(self) -> str:
        return f"{self.user} chose {self.tier.name} at {self.chosen_at:%Y-%m-%d}"


class DuesPayment(models.Model):
    """A payment of dues covering `months` months from `period` (the first of a month).

    Entered by a treasurer or imported from a payment platform's export;
    `external_id` keeps an import from counting the same payment twice.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by a treasurer")
        IMPORT = "import", _("Imported")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dues_payments")
    period = models.DateField(help_text="First day of the first month covered.")
    months = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    paid_on = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    external_id = models.CharField(max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["period", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="dues_amount_positive"),
            models.CheckConstraint(condition=models.Q(months__gte=1), name="dues_cover_a_month"),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~models.Q(external_id=""), name="dues_imported_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.amount} {self.currency} for {self.period:%Y-%m}"
