"""The share register: an append-only, hash-chained journal of operations on shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models.share_class import ShareClass

GENESIS_HASH = "0" * 64


class RegisterEntry(models.Model):
    """One operation on the register. Entries are never edited: a correction reverses one.

    Holdings are derived from the entries that move shares (issue, transfer,
    redemption, correction): each takes `quantity` shares of its class from
    `from_user` (if any) and gives them to `to_user` (if any). A subscription
    request and a payment confirmation move nothing; they document an issue.
    Each entry's hash covers its own fields and the previous entry's hash.
    """

    class Kind(models.TextChoices):
        SUBSCRIPTION_REQUEST = "subscription_request", _("Subscription request")
        PAYMENT_CONFIRMATION = "payment_confirmation", _("Payment confirmation")
        ISSUE = "issue", pgettext_lazy("share register operation", "Issue")
        TRANSFER = "transfer", _("Transfer")
        REDEMPTION = "redemption", _("Redemption")
        CORRECTION = "correction", _("Correction")

    sequence = models.PositiveIntegerField(unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    share_class = models.ForeignKey(ShareClass, on_delete=models.PROTECT, related_name="entries")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    price_per_share = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    effective_date = models.DateField()
    recorded_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_by = models.CharField(max_length=200, blank=True, default="")
    request = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    payout_due = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    previous_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "register entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="register_quantity_positive"),
            models.CheckConstraint(condition=models.Q(price_per_share__gte=0), name="register_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(kind="subscription_request")
                | models.Q(approved_by__isnull=False)
                | models.Q(authorised_by__gt=""),
                name="register_entry_has_authority",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["subscription_request", "payment_confirmation", "issue"])
                | models.Q(from_user__isnull=True, to_user__isnull=False),
                name="register_issue_goes_to_a_holder",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="transfer") | models.Q(from_user__isnull=False, to_user__isnull=False),
                name="register_transfer_has_both_sides",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="redemption") | models.Q(from_user__isnull=False, to_user__isnull=True),
                name="register_redemption_comes_from_a_holder",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="correction", reverses__isnull=False)
                | (~models.Q(kind="correction") & models.Q(reverses__isnull=True)),
                name="register_correction_reverses_an_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.quantity} x {self.share_class.name}"


# The kinds of entries that move shares between holders.
MOVING_KINDS = (
    RegisterEntry.Kind.ISSUE,
    RegisterEntry.Kind.TRANSFER,
    RegisterEntry.Kind.REDEMPTION,
    RegisterEntry.Kind.CORRECTION,
)
