"""Officers' pages for ownership: share classes, dues tiers, imports, contributions and patronage.

Every form calls the same check/do actions as the co-op API and the
management commands. Where the bylaws reserve a change to the assembly, the
page offers no form that makes it: its form opens a proposal instead, with
the change filled in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from config.web_refusals import refusal_as_message
from members.access import access_allocation_by_id
from members.actions.dues import (
    DuesTierDraft,
    check_change_dues_tier,
    check_create_dues_tier,
    check_import_dues_csv,
    do_change_dues_tier,
    do_create_dues_tier,
    do_import_dues_csv,
    tier_settings,
)
from members.actions.patronage import check_allocate_patronage, do_allocate_patronage, parse_formula
from members.actions.share_classes import (
    check_change_share_class,
    check_create_share_class,
    do_change_share_class,
    do_create_share_class,
)
from members.actions.working_groups import (
    check_import_contributions_csv,
    check_record_contribution,
    do_import_contributions_csv,
    do_record_contribution,
)
from members.errors import MemberRefused
from members.forms import DuesTierFields, ShareClassFields
from members.models import DuesTier, PatronageAllocation, ShareClass, WorkingGroup
from members.selectors import bylaws_in_force
from members.views.officers import officer_from_request, officer_or_refusal, user_named

# The proposal kinds that carry each reserved change. Governance owns the kinds
# and their forms; these names are what its new-proposal form is opened with.
PROPOSAL_KIND_SHARE_CLASS = "share_class"
PROPOSAL_KIND_DUES_TIER = "dues_tier"
PROPOSAL_KIND_PATRONAGE = "patronage"
# A CSV of a few thousand lines is far below this.
MAX_CSV_BYTES = 2_000_000
# The officers' pages write share classes and dues tiers with the same fields as the assembly's proposals.
ShareClassForm = ShareClassFields
DuesTierForm = DuesTierFields


class CsvForm(forms.Form):
    """A CSV file to import."""

    file = forms.FileField(label=_("CSV file"))


class ContributionForm(forms.Form):
    """Hours a member contributed to a working group."""

    member = forms.CharField(label=_("Member's username"), max_length=150)
    group = forms.ModelChoiceField(label=_("Working group"), queryset=WorkingGroup.objects.order_by("name"))
    hours = forms.DecimalField(label=_("Hours"), min_value=Decimal("0.01"), decimal_places=2)
    worked_on = forms.DateField(label=_("Worked on"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("What was done"), max_length=200, required=False)


def _percent_field(label: StrOrPromise, *, initial: int | None = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal(0), max_value=Decimal(100), decimal_places=1, initial=initial
    )


class AllocationForm(forms.Form):
    """A period's surplus to allocate: reserves first, then the rest shared by one or more measures, in percent."""

    label = forms.CharField(label=_("Label (such as the financial year)"), max_length=100)
    period_start = forms.DateField(label=_("Period starts"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period ends"), widget=forms.DateInput(attrs={"type": "date"}))
    surplus = forms.DecimalField(label=_("Surplus"), min_value=Decimal(0), decimal_places=2)
    reserve_percent = _percent_field(_("Kept in reserves (%)"))
    dues_percent = _percent_field(_("Of the rest, shared by dues paid (%)"), initial=0)
    hours_percent = _percent_field(_("Of the rest, shared by hours contributed (%)"), initial=100)
    posts_percent = _percent_field(_("Of the rest, shared by posts written (%)"), initial=0)
    authorised_by = forms.CharField(label=_("Decision that approved it"), max_length=200, required=False)


# The officers' pools: a name, the form's field for its share, and the measure it is divided by.
ALLOCATION_POOLS = (
    ("Dues paid", "dues_percent", "dues_paid"),
    ("Hours contributed", "hours_percent", "contribution_hours"),
    ("Posts written", "posts_percent", "posts"),
)
HUNDRED = Decimal(100)


def as_percent(fraction: Decimal) -> Decimal:
    """Return a stored fraction (0.300) as the percentage a person reads and types (30)."""
    # Through text, since a normalised Decimal prints 30 as "3E+1".
    return Decimal(format((fraction * HUNDRED).normalize(), "f"))


def _form_problem(form: forms.Form) -> MemberRefused:
    return MemberRefused(
        " ".join(f"{form[name].label}: {error}" for name, errors in form.errors.items() for error in errors)
    )


def _proposal_link(kind: str, **fields: Any) -> str:
    values = {"kind": kind} | {name: value for name, value in fields.items() if value not in (None, "")}
    return f"{reverse('governance:new_proposal')}?{urlencode(values)}"


def _share_class_initial(share_class: ShareClass) -> dict[str, Any]:
    return {
        "name": share_class.name,
        "nominal_value": share_class.nominal_value,
        "currency": share_class.currency,
        "min_per_member": share_class.min_per_member,
        "max_per_member": share_class.max_per_member,
        "carries_vote": share_class.carries_vote,
        "transferable": share_class.transferable,
        "redeemable": share_class.redeemable,
    }


@login_required
def ownership(request: HttpRequest) -> HttpResponse:
    """Show the share classes, dues tiers, imports, contributions and patronage allocations, with their forms."""
    refusal = officer_or_refusal(request)
    if refusal is not None:
        return refusal
    bylaws = bylaws_in_force()
    classes = list(ShareClass.objects.order_by("pk"))
    tiers = list(DuesTier.objects.order_by("monthly_amount", "pk"))
    allocations = PatronageAllocation.objects.order_by("-period_end").annotate(allocated=Sum("statements__amount"))
    context = {
        "bylaws": bylaws,
        "proposal_url": reverse("governance:new_proposal"),
        "kinds": {
            "share_class": PROPOSAL_KIND_SHARE_CLASS,
            "dues_tier": PROPOSAL_KIND_DUES_TIER,
            "patronage": PROPOSAL_KIND_PATRONAGE,
        },
        "share_classes": [
            {
                "share_class": share_class,
                "form": ShareClassForm(initial=_share_class_initial(share_class), prefix=f"class-{share_class.pk}"),
                "proposal": _proposal_link(
                    PROPOSAL_KIND_SHARE_CLASS, share_class=share_class.pk, name=share_class.name
                ),
            }
            for share_class in classes
        ],
        # Each form's ids differ, so every label names its own field.
        "share_class_form": ShareClassForm(auto_id="class_%s"),
        "tiers": [
            {
                "tier": tier,
                "form": DuesTierForm(initial=vars(tier_settings(tier)), prefix=f"tier-{tier.pk}"),
                "proposal": _proposal_link(PROPOSAL_KIND_DUES_TIER, dues_tier_id=tier.pk, name=tier.name),
            }
            for tier in tiers
        ],
        "tier_form": DuesTierForm(auto_id="tier_%s"),
        "dues_csv_form": CsvForm(auto_id="dues_%s"),
        "contributions_csv_form": CsvForm(auto_id="contributions_%s"),
        "contribution_form": ContributionForm(initial={"worked_on": timezone.localdate()}),
        "allocation_form": AllocationForm(
            initial={"reserve_percent": as_percent(bylaws.patronage_min_reserve_fraction)}
        ),
        "reserve_minimum_percent": as_percent(bylaws.patronage_min_reserve_fraction),
        "allocations": allocations,
        "proposal_link": _proposal_link(PROPOSAL_KIND_PATRONAGE),
    }
    return render(request, "members/ownership.html", context)


def _redirect_to(anchor: str) -> HttpResponseBase:
    return redirect(f"{reverse('members:ownership')}#{anchor}")


@login_required
@require_POST
def create_share_class(request: HttpRequest) -> HttpResponseBase:
    """Create a share class (treasurers, where the bylaws leave share classes to them)."""
    form = ShareClassForm(request.POST)
    with refusal_as_message(request):
        officer = officer_from_request(request)
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        draft = check_create_share_class(
            data["name"],
            data["nominal_value"],
            min_per_member=data["min_per_member"],
            max_per_member=data["max_per_member"],
            currency=data["currency"],
            carries_vote=data["carries_vote"],
            transferable=data["transferable"],
            redeemable=data["redeemable"],
            actor_user=officer,
        )
        do_create_share_class(draft)
        messages.success(request, _("Share class created."))
    return _redirect_to("share-classes")


@login_required
@require_POST
def change_share_class(request: HttpRequest, share_class_id: int) -> HttpResponseBase:
    """Change a share class (treasurers, where the bylaws leave share classes to them)."""
    form = ShareClassForm(request.POST, prefix=f"class-{share_class_id}")
    with refusal_as_message(request):
        officer = officer_from_request(request)
        share_class = ShareClass.objects.filter(pk=share_class_id).first()
        if share_class is None:
            raise MemberRefused("No such share class.")
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        change = check_change_share_class(
            share_class,
            name=data["name"],
            nominal_value=data["nominal_value"],
            min_per_member=data["min_per_member"],
            max_per_member=data["max_per_member"],
            clear_max=data["max_per_member"] is None,
            carries_vote=data["carries_vote"],
            transferable=data["transferable"],
            redeemable=data["redeemable"],
            actor_user=officer,
        )
        do_change_share_class(change)
        messages.success(request, _("Share class changed."))
    return _redirect_to("share-classes")


def _tier_draft(data: dict[str, Any]) -> DuesTierDraft:
    return DuesTierDraft(
        name=data["name"],
        monthly_amount=data["monthly_amount"],
        currency=data["currency"],
        description=data["description"],
        period_months=data["period_months"] or 1,
        sliding_scale_max=data["sliding_scale_max"],
        hardship_waiver=data["hardship_waiver"],
    )


@login_required
@require_POST
def create_dues_tier(request: HttpRequest) -> HttpResponseBase:
    """Add a step to the sliding scale (treasurers, where the bylaws leave dues tiers to them)."""
    form = DuesTierForm(request.POST)
    with refusal_as_message(request):
        officer = officer_from_request(request)
        if not form.is_valid():
            raise _form_problem(form)
        do_create_dues_tier(check_create_dues_tier(_tier_draft(form.cleaned_data), actor_user=officer))
        messages.success(request, _("Dues tier created."))
    return _redirect_to("dues-tiers")


@login_required
@require_POST
def change_dues_tier(request: HttpRequest, tier_id: int) -> HttpResponseBase:
    """Change a step of the sliding scale (treasurers, where the bylaws leave dues tiers to them)."""
    form = DuesTierForm(request.POST, prefix=f"tier-{tier_id}")
    with refusal_as_message(request):
        officer = officer_from_request(request)
        tier = DuesTier.objects.filter(pk=tier_id).first()
        if tier is None:
            raise MemberRefused("No such dues tier.")
        if not form.is_valid():
            raise _form_problem(form)
        do_change_dues_tier(check_change_dues_tier(tier, _tier_draft(form.cleaned_data), actor_user=officer))
        messages.success(request, _("Dues tier changed."))
    return _redirect_to("dues-tiers")


def _uploaded_text(request: HttpRequest) -> str:
    form = CsvForm(request.POST, request.FILES)
    if not form.is_valid():
        raise MemberRefused("Choose a CSV file to import.")
    upload: UploadedFile = form.cleaned_data["file"]
    if upload.size is not None and upload.size > MAX_CSV_BYTES:
        raise MemberRefused("The CSV is too large.")
    try:
        return str(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise MemberRefused("The CSV must be UTF-8 text.") from None


@login_required
@require_POST
def import_dues(request: HttpRequest) -> HttpResponseBase:
    """Record the dues payments of a CSV, all or none (treasurers)."""
    with refusal_as_message(request):
        treasurer = officer_from_request(request)
        checked = check_import_dues_csv(_uploaded_text(request), recorded_by=treasurer)
        payments = do_import_dues_csv(checked, recorded_by=treasurer)
        messages.success(
            request,
            _("Recorded %(count)s payment(s); skipped %(skipped)s imported before.")
            % {"count": len(payments), "skipped": checked.skipped},
        )
    return _redirect_to("dues-import")


@login_required
@require_POST
def record_contribution(request: HttpRequest) -> HttpResponseBase:
    """Record hours a member contributed (members of the working group, or admins)."""
    form = ContributionForm(request.POST)
    with refusal_as_message(request):
        officer = officer_from_request(request)
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        draft = check_record_contribution(
            data["group"],
            user_named(data["member"]),
            hours=data["hours"],
            worked_on=data["worked_on"],
            recorded_by=officer,
        )
        do_record_contribution(draft, description=data["description"])
        messages.success(request, _("Contribution recorded."))
    return _redirect_to("contributions")


@login_required
@require_POST
def import_contributions(request: HttpRequest) -> HttpResponseBase:
    """Record the contributions of a CSV, all or none."""
    with refusal_as_message(request):
        officer = officer_from_request(request)
        records = do_import_contributions_csv(
            check_import_contributions_csv(_uploaded_text(request), recorded_by=officer)
        )
        messages.success(request, _("Recorded %(count)s contribution(s).") % {"count": len(records)})
    return _redirect_to("contributions")


@login_required
@require_POST
def allocate_patronage(request: HttpRequest) -> HttpResponseBase:
    """Allocate a period's surplus: by the decision named, or by a treasurer where the bylaws allow."""
    form = AllocationForm(request.POST)
    with refusal_as_message(request):
        officer = officer_from_request(request)
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        pools = [
            {"name": name, "fraction": str(data[field] / HUNDRED), "measure": measure}
            for name, field, measure in ALLOCATION_POOLS
            if data[field] > 0
        ]
        draft = check_allocate_patronage(
            data["label"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            surplus=data["surplus"],
            formula=parse_formula(str(data["reserve_percent"] / HUNDRED), pools),
            authorised_by=data["authorised_by"],
            actor_user=officer,
        )
        allocation = do_allocate_patronage(draft)
        messages.success(request, _("Patronage allocated."))
        return redirect("members:patronage_statements", allocation_id=allocation.pk)
    return _redirect_to("patronage")


@login_required
def patronage_statements(request: HttpRequest, allocation_id: int) -> HttpResponse:
    """Show each member's statement for one allocation; they add up to the allocated surplus."""
    refusal = officer_or_refusal(request)
    if refusal is not None:
        return refusal
    allocation = access_allocation_by_id(officer_from_request(request), allocation_id)
    statements = list(allocation.statements.select_related("user").order_by("user__username", "pool"))
    allocated = sum((statement.amount for statement in statements), Decimal(0))
    context = {"allocation": allocation, "statements": statements, "allocated": allocated}
    return render(request, "members/patronage_statements.html", context)
