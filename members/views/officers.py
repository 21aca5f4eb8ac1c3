"""Officers' pages: applications to admit, payments and transfers to record, how to pay, the register as of a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from config.web_refusals import refusal_as_message
from members.access import access_membership_by_user_id, access_register_by_officer, access_register_entry_by_sequence
from members.actions.dues import check_record_dues_payment, do_record_dues_payment
from members.actions.lifecycle import check_admit_applicant, do_admit_applicant, holds_voting_minimum
from members.actions.payment_instructions import (
    PAYMENT_INSTRUCTIONS_MAX,
    check_change_payment_instructions,
    do_change_payment_instructions,
    may_change_payment_instructions,
)
from members.actions.register import (
    check_confirm_payment,
    check_issue_shares,
    check_redeem_shares,
    check_transfer_shares,
    do_confirm_payment,
    do_issue_shares,
    do_redeem_shares,
    do_transfer_shares,
)
from members.errors import MemberRefused, NotPermitted
from members.exports import register_csv
from members.forms import ShareClassChoiceField
from members.holdings import holdings_awaiting_redemption, register_as_of
from members.models import Membership, RegisterEntry, ShareClass, User
from members.selectors import bylaws_in_force, payment_instructions, pending_applications

Kind = RegisterEntry.Kind


def officer_from_request(request: HttpRequest) -> User:
    """Return the signed-in officer, refusing anyone who may not keep the register."""
    user = request.user
    if not isinstance(user, User):
        raise MemberRefused("Sign in first.")
    access_register_by_officer(user)
    return user


def officer_or_refusal(request: HttpRequest) -> HttpResponse | None:
    """Return the page that refuses anyone but an officer, or None for an officer."""
    try:
        officer_from_request(request)
    except MemberRefused as exc:
        return render(request, "members/not_permitted.html", {"reason": str(exc)}, status=403)
    return None


@dataclass(frozen=True)
class SubscriptionStep:
    """A subscription request with how far it got: requested, paid, issued."""

    request: RegisterEntry
    paid: bool
    issued: bool


@dataclass(frozen=True)
class Application:
    """An applicant waiting for admission, with their share requests."""

    membership: Membership
    subscriptions: list[SubscriptionStep]
    minimum_issued: bool


def _applications() -> list[Application]:
    waiting = list(pending_applications())
    requests = RegisterEntry.objects.filter(
        kind=Kind.SUBSCRIPTION_REQUEST, to_user_id__in=[m.user_id for m in waiting], reversal__isnull=True
    ).select_related("share_class")
    followers = {
        (entry.request_id, entry.kind)
        for entry in RegisterEntry.objects.filter(request__in=requests, reversal__isnull=True).only("request", "kind")
    }
    by_user: dict[int, list[SubscriptionStep]] = {}
    for entry in requests.order_by("sequence"):
        by_user.setdefault(entry.to_user_id or 0, []).append(
            SubscriptionStep(
                request=entry,
                paid=(entry.pk, Kind.PAYMENT_CONFIRMATION) in followers,
                issued=(entry.pk, Kind.ISSUE) in followers,
            )
        )
    return [
        Application(
            membership=membership,
            subscriptions=by_user.get(membership.user_id, []),
            minimum_issued=holds_voting_minimum(membership.user),
        )
        for membership in waiting
    ]


class DuesForm(forms.Form):
    """A dues payment received from a member."""

    member = forms.CharField(label=_("Member's username"), max_length=150)
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    months = forms.IntegerField(label=_("Months covered"), min_value=1, initial=1)


class RedemptionForm(forms.Form):
    """Shares the co-op buys back from a holder who leaves, at most at their nominal value."""

    member = forms.CharField(label=_("Holder (username)"), max_length=150)
    share_class = ShareClassChoiceField(label=_("Share class"), queryset=ShareClass.objects.all())
    quantity = forms.IntegerField(label=_("Number of shares"), min_value=1)
    price_per_share = forms.DecimalField(
        label=_("Price per share (empty: the nominal value, the most allowed)"),
        min_value=Decimal(0),
        decimal_places=2,
        required=False,
    )


class TransferForm(forms.Form):
    """Shares passing from one holder to another."""

    giver = forms.CharField(label=_("From (username)"), max_length=150)
    receiver = forms.CharField(label=_("To (username)"), max_length=150)
    share_class = ShareClassChoiceField(label=_("Share class"), queryset=ShareClass.objects.all())
    quantity = forms.IntegerField(label=_("Number of shares"), min_value=1)


class PaymentInstructionsForm(forms.Form):
    """How applicants and members pay share capital and dues, as plain text."""

    # No max_length here: the action checks the length, counting a line break as one character as browsers do.
    text = forms.CharField(
        label=_("Payment instructions"),
        required=False,
        help_text=_(
            "Bank transfer details, the reference to quote or a link to a payment page. "
            "Shown as plain text with its line breaks; web addresses become links. "
            "Leave empty to tell people that the treasurer sends the details."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": PAYMENT_INSTRUCTIONS_MAX}),
    )


def user_named(username: str) -> User:
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise MemberRefused(f"No account is called {username.strip()!r}.")
    return user


def _officers_page(
    request: HttpRequest, officer: User, payment_form: PaymentInstructionsForm | None = None, *, status: int = 200
) -> HttpResponse:
    instructions = payment_instructions()
    context = {
        "applications": _applications(),
        "dues_form": DuesForm(initial={"paid_on": timezone.localdate()}),
        "transfer_form": TransferForm(),
        "redemption_form": RedemptionForm(),
        "awaiting_redemption": holdings_awaiting_redemption(),
        "payout_days": bylaws_in_force().redemption_payout_days,
        "payment_instructions": instructions,
        "may_change_payment_instructions": may_change_payment_instructions(officer),
        "payment_form": payment_form or PaymentInstructionsForm(initial={"text": instructions}),
    }
    return render(request, "members/officers.html", context, status=status)


@login_required
def officers(request: HttpRequest) -> HttpResponse:
    """Show applications with their share requests, the forms for dues payments and transfers, and how to pay."""
    refusal = officer_or_refusal(request)
    if refusal is not None:
        return refusal
    return _officers_page(request, officer_from_request(request))


@login_required
@require_POST
def change_payment_instructions(request: HttpRequest) -> HttpResponseBase:
    """Change how applicants and members pay (treasurers and admins); a refusal changes nothing."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required lets only users through)
    form = PaymentInstructionsForm(request.POST)
    try:
        draft = check_change_payment_instructions(user, request.POST.get("text", ""))
    except NotPermitted as exc:
        return render(request, "members/not_permitted.html", {"reason": str(exc)}, status=403)
    except MemberRefused as exc:
        # The page again, with the text as typed, so that nothing written is lost.
        form.add_error("text", str(exc))
        messages.error(request, _("The payment instructions were not saved: see the form below."))
        return _officers_page(request, user, form, status=400)
    do_change_payment_instructions(draft)
    messages.success(request, _("Payment instructions saved.") if draft.text else _("Payment instructions removed."))
    return redirect(f"{reverse('members:officers')}#payment-instructions")


@login_required
@require_POST
def confirm_payment(request: HttpRequest, sequence: int) -> HttpResponseBase:
    """Record that a subscription was paid (treasurers)."""
    with refusal_as_message(request):
        treasurer = officer_from_request(request)
        entry = access_register_entry_by_sequence(treasurer, sequence)
        check_confirm_payment(entry, approved_by=treasurer)
        do_confirm_payment(entry, approved_by=treasurer)
        messages.success(request, _("Payment recorded."))
    return redirect("members:officers")


@login_required
@require_POST
def issue_shares(request: HttpRequest, sequence: int) -> HttpResponseBase:
    """Issue the shares of a paid subscription (membership officers)."""
    with refusal_as_message(request):
        officer = officer_from_request(request)
        entry = access_register_entry_by_sequence(officer, sequence)
        do_issue_shares(check_issue_shares(entry, approved_by=officer))
        messages.success(request, _("Shares issued."))
    return redirect("members:officers")


@login_required
@require_POST
def admit(request: HttpRequest, user_id: int) -> HttpResponseBase:
    """Admit an applicant whose minimum shares are issued (membership officers)."""
    with refusal_as_message(request):
        officer = officer_from_request(request)
        applicant = access_membership_by_user_id(officer, user_id).user
        check_admit_applicant(applicant, actor_user=officer, authorised_by="")
        do_admit_applicant(applicant, actor_user=officer, authorised_by="")
        messages.success(request, _("%(name)s is now a member.") % {"name": applicant.username})
    return redirect("members:officers")


@login_required
@require_POST
def record_dues(request: HttpRequest) -> HttpResponseBase:
    """Record a dues payment (treasurers)."""
    form = DuesForm(request.POST)
    with refusal_as_message(request):
        treasurer = officer_from_request(request)
        if not form.is_valid():
            raise MemberRefused(" ".join(str(error) for errors in form.errors.values() for error in errors))
        draft = check_record_dues_payment(
            user_named(form.cleaned_data["member"]),
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
            recorded_by=treasurer,
            months=form.cleaned_data["months"],
            currency=form.cleaned_data["currency"],
        )
        do_record_dues_payment(draft, recorded_by=treasurer)
        messages.success(request, _("Dues payment recorded."))
    return redirect("members:officers")


@login_required
@require_POST
def record_transfer(request: HttpRequest) -> HttpResponseBase:
    """Record a transfer of shares between holders (treasurers)."""
    form = TransferForm(request.POST)
    with refusal_as_message(request):
        treasurer = officer_from_request(request)
        if not form.is_valid():
            raise MemberRefused(" ".join(str(error) for errors in form.errors.values() for error in errors))
        giver, receiver = user_named(form.cleaned_data["giver"]), user_named(form.cleaned_data["receiver"])
        share_class, quantity = form.cleaned_data["share_class"], form.cleaned_data["quantity"]
        do_transfer_shares(check_transfer_shares(giver, receiver, share_class, quantity, approved_by=treasurer))
        messages.success(request, _("Transfer recorded."))
    return redirect("members:officers")


@login_required
@require_POST
def record_redemption(request: HttpRequest) -> HttpResponseBase:
    """Record the redemption of a leaving holder's shares, at most at nominal value (treasurers)."""
    form = RedemptionForm(request.POST)
    with refusal_as_message(request):
        treasurer = officer_from_request(request)
        if not form.is_valid():
            raise MemberRefused(" ".join(str(error) for errors in form.errors.values() for error in errors))
        data = form.cleaned_data
        draft = check_redeem_shares(
            user_named(data["member"]),
            data["share_class"],
            data["quantity"],
            approved_by=treasurer,
            price_per_share=data["price_per_share"],
        )
        entry = do_redeem_shares(draft)
        messages.success(
            request,
            _("Redemption recorded: %(amount)s %(currency)s due by %(due)s.")
            % {"amount": entry.amount, "currency": entry.share_class.currency, "due": entry.payout_due},
        )
    return redirect("members:officers")


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Show the register as of a date (default today), or download it as CSV."""
    refusal = officer_or_refusal(request)
    if refusal is not None:
        return refusal
    as_of: date | None = None
    raw = request.GET.get("as_of", "")
    if raw:
        try:
            as_of = date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("Give the date as YYYY-MM-DD."))
            return redirect("members:register")
    day = as_of or timezone.localdate()
    if request.GET.get("format") == "csv":
        response = HttpResponse(register_csv(as_of), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="register-{day.isoformat()}.csv"'
        return response
    return render(request, "members/register.html", {"lines": register_as_of(as_of), "as_of": day})
