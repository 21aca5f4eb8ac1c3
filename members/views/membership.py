"""Apply for membership, and see one's own membership with its full history."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.web_refusals import refusal_as_message, refusal_on_form
from members.access import access_membership_by_user_id, can_read_register
from members.actions.accounts import check_create_account, do_create_account
from members.actions.dues import check_choose_dues_tier, do_choose_dues_tier
from members.actions.lifecycle import (
    MAX_APPLICATION_LENGTH,
    MAX_RESIGNATION_REASON,
    check_resign_member,
    do_resign_member,
)
from members.actions.register import check_request_subscription, do_request_subscription
from members.exports import holder_entries
from members.forms import ShareClassChoiceField
from members.holdings import register_as_of
from members.models import DuesPayment, DuesTier, MembershipStatus, PatronageStatement, Role, ShareClass, User
from members.selectors import (
    bylaws_in_force,
    membership_history,
    payment_instructions,
    roles_of,
    subscriptions_awaiting_payment,
)
from members.standing import standing_at


class ApplicationForm(forms.Form):
    """The fields of a membership application, which also creates the login."""

    username = forms.CharField(label=_("Username"), max_length=30)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    application_text = forms.CharField(
        label=_("Why would you like to join?"),
        required=False,
        max_length=MAX_APPLICATION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    invitation_code = forms.CharField(label=_("Invitation code (optional)"), required=False, max_length=64)


def apply(request: HttpRequest) -> HttpResponse:
    """Show the application form; on POST, create the login and record the application."""
    initial = {"invitation_code": request.GET.get("invite", "")}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            account = check_create_account(
                form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                application_text=form.cleaned_data["application_text"],
                invitation_code=form.cleaned_data["invitation_code"].strip(),
            )
            user = do_create_account(account)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("members:membership")
    return render(request, "members/apply.html", {"form": form, "bylaws": bylaws_in_force()})


@login_required
def membership(request: HttpRequest) -> HttpResponse:
    """Show the signed-in person's membership: status, standing, roles, holdings, dues and history."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    record = access_membership_by_user_id(viewer, viewer.pk)
    context = {
        "record": record,
        "standing": standing_at(viewer.pk),
        "roles": [Role(role).label for role in roles_of(viewer)],
        "history": membership_history(viewer),
        "lines": [line for line in register_as_of() if line.user.pk == viewer.pk],
        "entries": holder_entries(viewer),
        "payments": DuesPayment.objects.filter(user=viewer).order_by("-period")[:24],
        "patronage": PatronageStatement.objects.filter(user=viewer)
        .select_related("allocation")
        .order_by("-allocation__period_end", "pool"),
        "today": timezone.localdate(),
        "subscribe_form": SubscriptionForm(),
        "tier_form": DuesTierForm(initial={"tier": record.dues_tier_id}) if DuesTier.objects.exists() else None,
        "bylaws": bylaws_in_force(),
        "resignation_form": ResignationForm()
        if record.status in (MembershipStatus.MEMBER, MembershipStatus.SUSPENDED)
        else None,
        "is_officer": can_read_register(viewer),
        "awaiting_payment": subscriptions_awaiting_payment(viewer),
        "payment_instructions": payment_instructions(),
    }
    return render(request, "members/membership.html", context)


class SubscriptionForm(forms.Form):
    """A request for shares, paid to the treasurer afterwards."""

    share_class = ShareClassChoiceField(label=_("Share class"), queryset=ShareClass.objects.all(), empty_label=None)
    quantity = forms.IntegerField(label=_("Number of shares"), min_value=1, initial=1)


@login_required
def subscribe(request: HttpRequest) -> HttpResponseBase:
    """Request shares for oneself; the treasurer confirms payment and an officer issues them."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    form = SubscriptionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, _("Choose a share class and a number of shares."))
        return redirect("members:membership")
    share_class, quantity = form.cleaned_data["share_class"], form.cleaned_data["quantity"]
    with refusal_as_message(request):
        entry = do_request_subscription(check_request_subscription(viewer, share_class, quantity))
        requested = {"sequence": entry.sequence, "amount": entry.amount, "currency": share_class.currency}
        if payment_instructions():
            messages.success(
                request,
                _("Requested: entry #%(sequence)s. Pay %(amount)s %(currency)s as “How to pay” explains.") % requested,
            )
        else:
            messages.success(
                request,
                _("Requested: entry #%(sequence)s. Pay %(amount)s %(currency)s to the treasurer to have them issued.")
                % requested,
            )
    return redirect("members:membership")


class DuesTierForm(forms.Form):
    """The step of the sliding scale a member pledges, a hardship waiver among them."""

    tier = forms.ModelChoiceField(
        label=_("Dues tier"), queryset=DuesTier.objects.all(), empty_label=None, widget=forms.RadioSelect
    )


@login_required
def choose_dues_tier(request: HttpRequest) -> HttpResponseBase:
    """Record the dues tier the member pledges from now on."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    form = DuesTierForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, _("Choose one of the dues tiers."))
        return redirect("members:membership")
    tier = form.cleaned_data["tier"]
    with refusal_as_message(request):
        do_choose_dues_tier(check_choose_dues_tier(viewer, tier), tier)
        if tier.hardship_waiver:
            messages.success(
                request, _("You are on the %(tier)s tier: from this month, you owe no dues.") % {"tier": tier.name}
            )
        else:
            messages.success(request, _("You are on the %(tier)s tier from now on.") % {"tier": tier.name})
    return redirect("members:membership")


class ResignationForm(forms.Form):
    """A member's resignation, confirmed: they give up their vote, and their shares are bought back."""

    reason = forms.CharField(
        label=_("Why are you leaving? (optional, kept in your membership history)"),
        required=False,
        max_length=MAX_RESIGNATION_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("I resign from the co-op: I give up my vote, and my shares are bought back at nominal value."),
    )


@login_required
def resign(request: HttpRequest) -> HttpResponseBase:
    """End the signed-in member's membership at their request; their shares then await redemption."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    form = ResignationForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        if "reason" in form.errors:
            messages.error(request, _("Say why in at most %(limit)s characters.") % {"limit": MAX_RESIGNATION_REASON})
        else:
            messages.error(request, _("Tick the box to confirm that you resign."))
        return redirect("members:membership")
    with refusal_as_message(request):
        check_resign_member(viewer)
        do_resign_member(viewer, reason=form.cleaned_data["reason"].strip() or "Resigned.")
        messages.success(
            request,
            _(
                "You have resigned. The treasurer buys your shares back at nominal value; "
                "the payout is due within %(days)s days."
            )
            % {"days": bylaws_in_force().redemption_payout_days},
        )
    return redirect("members:membership")
