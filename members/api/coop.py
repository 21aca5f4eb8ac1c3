"""The co-op API (/api/v1/coop/...): a member's own records, and officers' work on the register.

Reading needs `read:coop` (or `read`), acting `write:coop` (or `write`).
Officers' endpoints also need the role: the actions check it and a refusal
answers 403.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.uris import base_url
from members.access import (
    access_membership_by_user_id,
    access_register_by_officer,
    access_register_entry_by_sequence,
)
from members.actions.dues import (
    check_choose_dues_tier,
    check_record_dues_payment,
    do_choose_dues_tier,
    do_record_dues_payment,
)
from members.actions.lifecycle import (
    check_admit_applicant,
    check_create_invitation,
    do_admit_applicant,
    do_create_invitation,
)
from members.actions.register import (
    check_confirm_payment,
    check_issue_shares,
    check_redeem_shares,
    check_request_subscription,
    check_transfer_shares,
    do_confirm_payment,
    do_issue_shares,
    do_redeem_shares,
    do_request_subscription,
    do_transfer_shares,
)
from members.actions.roles import check_grant_role, check_revoke_role, do_grant_role, do_revoke_role
from members.api.auth import token_user
from members.api.coop_entities import (
    bylaws_entity,
    dues_payment_entity,
    dues_tier_entity,
    entry_entity,
    holding_entity,
    membership_entity,
    patronage_statement_entity,
    share_class_entity,
)
from members.exports import holder_entries, register_csv
from members.holdings import register_as_of
from members.models import DuesPayment, DuesTier, PatronageStatement, ShareClass, User
from members.selectors import bylaws_in_force, pending_applications


def _as_of(params: ApiParams) -> date | None:
    text = params.get_str("as_of").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError("as_of must be a date such as 2026-01-31", 422) from None


def _decimal(params: ApiParams, name: str, *, required: bool = True) -> Decimal | None:
    text = params.get_str(name).strip()
    if not text:
        if required:
            raise ApiError(f"{name} is required", 422)
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApiError(f"{name} must be a number", 422) from None
    if not value.is_finite():
        raise ApiError(f"{name} must be a number", 422)
    return value


def _date(params: ApiParams, name: str) -> date | None:
    text = params.get_str(name).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text)
    except ValueError:
        raise ApiError(f"{name} must be a date such as 2026-01-31", 422) from None


def _share_class(params: ApiParams) -> ShareClass:
    share_class_id = params.get_int("share_class_id")
    share_class = ShareClass.objects.filter(pk=share_class_id).first() if share_class_id else None
    if share_class is None:
        raise ApiError("share_class_id must name a share class", 422)
    return share_class


def _member(params: ApiParams, name: str) -> User:
    username = params.get_str(name).strip()
    user = User.objects.filter(username__iexact=username).first() if username else None
    if user is None:
        raise ApiError(f"{name} must name a member", 422)
    return user


def _quantity(params: ApiParams) -> int:
    quantity = params.get_int("quantity")
    if quantity is None:
        raise ApiError("quantity is required", 422)
    return quantity


@api_view("GET")
@require_token("read:coop")
def membership(request: HttpRequest) -> JsonResponse:
    """Return the token owner's membership: status, standing, roles and history."""
    viewer = token_user(request)
    return JsonResponse(membership_entity(access_membership_by_user_id(viewer, viewer.pk)))


@api_view("GET")
@require_token("read:coop")
def holdings(request: HttpRequest) -> JsonResponse:
    """Return the token owner's holdings and the register entries naming them, as of a date."""
    viewer = token_user(request)
    as_of = _as_of(ApiParams.from_request(request))
    lines = [line for line in register_as_of(as_of) if line.user.pk == viewer.pk]
    return JsonResponse(
        {
            "as_of": (as_of or timezone.localdate()).isoformat(),
            "holdings": [holding_entity(line) for line in lines],
            "entries": [entry_entity(entry) for entry in holder_entries(viewer, as_of)],
        }
    )


@api_view("GET")
@require_token("read:coop")
def dues(request: HttpRequest) -> JsonResponse:
    """Return the token owner's dues payments and the standing they give."""
    viewer = token_user(request)
    entity = membership_entity(access_membership_by_user_id(viewer, viewer.pk))
    payments = DuesPayment.objects.filter(user=viewer).select_related("user").order_by("-period", "-id")
    return JsonResponse(
        {
            "dues_tier": entity["dues_tier"],
            "in_arrears": entity["in_arrears"],
            "unpaid_months": entity["unpaid_months"],
            "grace_months": bylaws_in_force().dues_grace_months,
            "payments": [dues_payment_entity(payment) for payment in payments],
            "tiers": [dues_tier_entity(tier) for tier in DuesTier.objects.order_by("monthly_amount")],
        }
    )


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def choose_dues_tier(request: HttpRequest) -> JsonResponse:
    """Choose the step of the sliding scale one pledges to pay (tier_id)."""
    viewer = token_user(request)
    tier_id = ApiParams.from_request(request).get_int("tier_id")
    tier = DuesTier.objects.filter(pk=tier_id).first() if tier_id else None
    if tier is None:
        raise ApiError("tier_id must name a dues tier", 422)
    do_choose_dues_tier(check_choose_dues_tier(viewer, tier), tier)
    return JsonResponse(dues_tier_entity(tier))


@api_view("GET")
@require_token("read:coop")
def patronage(request: HttpRequest) -> JsonResponse:
    """Return the token owner's patronage statements, newest allocation first."""
    statements = PatronageStatement.objects.filter(user=token_user(request)).select_related("allocation")
    ordered = statements.order_by("-allocation__period_end", "pool")
    return JsonResponse([patronage_statement_entity(statement) for statement in ordered], safe=False)


@api_view("GET")
@require_token("read:coop")
def bylaws(request: HttpRequest) -> JsonResponse:
    """Return the bylaws' settings in force."""
    return JsonResponse(bylaws_entity(bylaws_in_force()))


@api_view("GET")
@require_token("read:coop")
def share_classes(request: HttpRequest) -> JsonResponse:
    """Return the share classes the co-op issues."""
    return JsonResponse([share_class_entity(c) for c in ShareClass.objects.order_by("pk")], safe=False)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def subscribe(request: HttpRequest) -> JsonResponse:
    """Request shares (share_class_id, quantity) for oneself; a treasurer confirms the payment."""
    viewer = token_user(request)
    params = ApiParams.from_request(request)
    share_class, quantity = _share_class(params), _quantity(params)
    draft = check_request_subscription(viewer, share_class, quantity)
    return JsonResponse(entry_entity(do_request_subscription(draft)), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def invite(request: HttpRequest) -> JsonResponse:
    """Create an invitation link to the application form (members): max_uses, valid_days, note."""
    viewer = token_user(request)
    params = ApiParams.from_request(request)
    max_uses, valid_days = params.get_int("max_uses", 1) or 1, params.get_int("valid_days", 14) or 14
    check_create_invitation(viewer, max_uses=max_uses, valid_days=valid_days)
    invitation = do_create_invitation(viewer, max_uses=max_uses, valid_days=valid_days, note=params.get_str("note"))
    return JsonResponse(
        {
            "code": invitation.code,
            "url": f"{base_url()}/coop/apply?invite={invitation.code}",
            "max_uses": invitation.max_uses,
            "expires_at": invitation.expires_at.isoformat(),
        },
        status=201,
    )


@api_view("GET")
@require_token("read:coop")
def applications(request: HttpRequest) -> JsonResponse:
    """Return the applications waiting for admission (officers)."""
    access_register_by_officer(token_user(request))
    return JsonResponse([membership_entity(m) for m in pending_applications()], safe=False)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def admit(request: HttpRequest, user_id: int) -> JsonResponse:
    """Admit an applicant whose minimum shares are issued (membership officers)."""
    officer = token_user(request)
    access_register_by_officer(officer)
    applicant = access_membership_by_user_id(officer, user_id).user
    check_admit_applicant(applicant, actor_user=officer, authorised_by="")
    do_admit_applicant(applicant, actor_user=officer, authorised_by="")
    return JsonResponse(membership_entity(access_membership_by_user_id(officer, user_id)))


def _officer_entry(request: HttpRequest, sequence: int) -> tuple[User, Any]:
    officer = token_user(request)
    access_register_by_officer(officer)
    return officer, access_register_entry_by_sequence(officer, sequence)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def confirm_payment(request: HttpRequest, sequence: int) -> JsonResponse:
    """Confirm that a subscription request was paid (treasurers)."""
    treasurer, request_entry = _officer_entry(request, sequence)
    check_confirm_payment(request_entry, approved_by=treasurer)
    return JsonResponse(entry_entity(do_confirm_payment(request_entry, approved_by=treasurer)), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def issue(request: HttpRequest, sequence: int) -> JsonResponse:
    """Issue the shares of a paid subscription request (membership officers)."""
    officer, request_entry = _officer_entry(request, sequence)
    draft = check_issue_shares(request_entry, approved_by=officer)
    return JsonResponse(entry_entity(do_issue_shares(draft)), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def record_dues_payment(request: HttpRequest) -> JsonResponse:
    """Record a dues payment (treasurers): member, amount, paid_on[, period, months, currency]."""
    treasurer = token_user(request)
    params = ApiParams.from_request(request)
    paid_on = _date(params, "paid_on") or timezone.localdate()
    amount = _decimal(params, "amount")
    assert amount is not None  # noqa: S101 (required above)
    draft = check_record_dues_payment(
        _member(params, "member"),
        amount=amount,
        paid_on=paid_on,
        recorded_by=treasurer,
        period=_date(params, "period"),
        months=params.get_int("months", 1) or 1,
        currency=params.get_str("currency", "USD"),
    )
    payment = do_record_dues_payment(draft, recorded_by=treasurer)
    return JsonResponse(dues_payment_entity(payment), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def transfer(request: HttpRequest) -> JsonResponse:
    """Record a transfer between holders (treasurers): from, to, share_class_id, quantity[, price_per_share]."""
    treasurer = token_user(request)
    params = ApiParams.from_request(request)
    giver, receiver = _member(params, "from"), _member(params, "to")
    share_class, quantity = _share_class(params), _quantity(params)
    price = _decimal(params, "price_per_share", required=False)
    draft = check_transfer_shares(giver, receiver, share_class, quantity, approved_by=treasurer, price_per_share=price)
    entry = do_transfer_shares(draft)
    return JsonResponse(entry_entity(entry), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def redeem(request: HttpRequest) -> JsonResponse:
    """Record a redemption (treasurers): member, share_class_id, quantity[, price_per_share]."""
    treasurer = token_user(request)
    params = ApiParams.from_request(request)
    holder, share_class, quantity = _member(params, "member"), _share_class(params), _quantity(params)
    price = _decimal(params, "price_per_share", required=False)
    draft = check_redeem_shares(holder, share_class, quantity, approved_by=treasurer, price_per_share=price)
    entry = do_redeem_shares(draft)
    return JsonResponse(entry_entity(entry), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def grant_role(request: HttpRequest) -> JsonResponse:
    """Grant a role to a member (admins): member, role."""
    admin = token_user(request)
    params = ApiParams.from_request(request)
    holder, role = _member(params, "member"), params.get_str("role")
    check_grant_role(holder, role, authorised_by="", actor_user=admin)
    do_grant_role(holder, role, authorised_by="", actor_user=admin)
    return JsonResponse(membership_entity(access_membership_by_user_id(admin, holder.pk)))


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def revoke_role(request: HttpRequest) -> JsonResponse:
    """Revoke a member's role (admins): member, role."""
    admin = token_user(request)
    params = ApiParams.from_request(request)
    holder, role = _member(params, "member"), params.get_str("role")
    check_revoke_role(holder, role, authorised_by="", actor_user=admin)
    do_revoke_role(holder, role, authorised_by="", actor_user=admin)
    return JsonResponse(membership_entity(access_membership_by_user_id(admin, holder.pk)))


@api_view("GET")
@require_token("read:coop")
def register(request: HttpRequest) -> HttpResponse:
    """Return the whole register as of a date (officers), as JSON or, with format=csv, as CSV."""
    access_register_by_officer(token_user(request))
    params = ApiParams.from_request(request)
    as_of = _as_of(params)
    if params.get_str("format") == "csv":
        response = HttpResponse(register_csv(as_of), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="register-{as_of or timezone.localdate()}.csv"'
        return response
    lines = register_as_of(as_of)
    return JsonResponse(
        {"as_of": (as_of or timezone.localdate()).isoformat(), "holdings": [holding_entity(line) for line in lines]}
    )
