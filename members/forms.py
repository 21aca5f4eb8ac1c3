"""The fields of the co-op's ownership settings, shared by the officers' pages and the assembly's proposal forms.

A share class or a dues tier is written the same way whoever decides it:
officers on their page where the bylaws let them, members in a proposal
where the bylaws reserve the change to the assembly.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from members.actions.dues import DUES_TIER_DESCRIPTION_MAX, DUES_TIER_NAME_MAX
from members.models import ShareClass
from members.money import format_money

DUES_PERIOD_CHOICES = [(1, _("month")), (3, _("quarter")), (12, _("year"))]


class ShareClassChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    """A choice of share class, each named with its nominal value as the tables write it."""

    def label_from_instance(self, obj: ShareClass) -> str:
        """Return the class's name and the price of one share."""
        return f"{obj.name} ({format_money(obj.nominal_value, obj.currency)})"


def currency_field() -> forms.CharField:
    """Return the field of a three-letter currency code."""
    return forms.CharField(label=_("Currency"), max_length=3, initial="USD", help_text=_("A code such as USD or EUR."))


class ShareClassFields(forms.Form):
    """A share class's terms."""

    name = forms.CharField(label=_("Name"), max_length=100)
    nominal_value = forms.DecimalField(label=_("Nominal value of a share"), min_value=Decimal("0.01"), decimal_places=2)
    currency = currency_field()
    carries_vote = forms.BooleanField(
        label=_("Holding it makes a member eligible to vote"),
        required=False,
        initial=True,
        help_text=_("One member, one vote, however many shares they hold. Investor classes usually carry none."),
    )
    transferable = forms.BooleanField(label=_("Members may transfer these shares"), required=False)
    redeemable = forms.BooleanField(
        label=_("The co-op buys these shares back (at most their nominal value)"), required=False, initial=True
    )
    min_per_member = forms.IntegerField(label=_("Least a holder holds"), min_value=0, initial=1)
    max_per_member = forms.IntegerField(
        label=_("Most a holder holds"), min_value=1, required=False, help_text=_("Empty: no maximum.")
    )


class DuesTierFields(forms.Form):
    """A step of the sliding scale of dues."""

    name = forms.CharField(label=_("Name"), max_length=DUES_TIER_NAME_MAX)
    monthly_amount = forms.DecimalField(
        label=_("Amount a month"), min_value=Decimal(0), decimal_places=2, help_text=_("0 for a hardship waiver.")
    )
    sliding_scale_max = forms.DecimalField(
        label=_("Top of the sliding scale"),
        min_value=Decimal(0),
        decimal_places=2,
        required=False,
        help_text=_("Empty: a fixed amount."),
    )
    period_months = forms.TypedChoiceField(
        label=_("Paid every"),
        coerce=int,
        initial=1,
        required=False,
        empty_value=None,
        choices=DUES_PERIOD_CHOICES,
        help_text=_("Empty: every month."),
    )
    hardship_waiver = forms.BooleanField(label=_("A hardship waiver: members on it pay nothing"), required=False)
    currency = currency_field()
    description = forms.CharField(label=_("Who it is for"), required=False, max_length=DUES_TIER_DESCRIPTION_MAX)
