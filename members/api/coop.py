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
    access_allocation_by_id,
    access_membership_by_user_id,
    access_register_by_officer,
    access_register_entry_by_sequence,
)
from members.actions.dues import (
    DuesTierDraft,
    check_change_dues_tier,
    check_choose_dues_tier,
    check_create_dues_tier,
    check_import_dues_csv,
    check_record_dues_payment,
    do_change_dues_tier,
    do_choose_dues_tier,
    do_create_dues_tier,
    do_import_dues_csv,
    do_record_dues_payment,
    tier_settings,
)
from members.actions.lifecycle import (
    MAX_RESIGNATION_REASON,
    check_admit_applicant,
    check_create_invitation,
    check_resign_member,
    do_admit_applicant,
    do_create_invitation,
    do_resign_member,
)
from members.actions.patronage import check_allocate_patronage, do_allocate_patronage, parse_formula
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
from members.api.auth import token_user
from members.api.coop_entities import (
    allocation_entity,
    bylaws_entity,
    contribution_entity,
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
from members.models import (
    DuesPayment,
    DuesTier,
    PatronageAllocation,
    PatronageStatement,
    ShareClass,
    User,
    WorkingGroup,
)
from members.selectors import bylaws_in_force, pending_applications

# A dues or contributions CSV of a few thousand lines is far below this.
MAX_CSV_BYTES = 2_000_000


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


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def resign(request: HttpRequest) -> JsonResponse:
    """Resign from the co-op (reason optional); the member's shares then await redemption at nominal value."""
    viewer = token_user(request)
    reason = ApiParams.from_request(request).get_str("reason").strip()
    if len(reason) > MAX_RESIGNATION_REASON:
        raise ApiError(f"reason is at most {MAX_RESIGNATION_REASON} characters", 422)
    check_resign_member(viewer)
    do_resign_member(viewer, reason=reason or "Resigned.")
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


@csrf_exempt
@api_view("GET", "POST")
def share_classes(request: HttpRequest) -> HttpResponse:
    """Return the share classes the co-op issues (GET), or create one (POST)."""
    return _create_share_class(request) if request.method == "POST" else _list_share_classes(request)


@require_token("read:coop")
def _list_share_classes(request: HttpRequest) -> JsonResponse:
    return JsonResponse([share_class_entity(c) for c in ShareClass.objects.order_by("pk")], safe=False)


def _optional_bool(params: ApiParams, name: str) -> bool | None:
    return params.get_bool(name) if name in params else None


@require_token("write:coop")
def _create_share_class(request: HttpRequest) -> JsonResponse:
    """Create a share class (treasurers, unless the bylaws reserve it to a decision named in authorised_by).

    Parameters: name, nominal_value[, currency, min_per_member, max_per_member,
    carries_vote, transferable, redeemable, authorised_by].
    """
    params = ApiParams.from_request(request)
    nominal_value = _decimal(params, "nominal_value")
    assert nominal_value is not None  # noqa: S101 (required above)
    draft = check_create_share_class(
        params.get_str("name"),
        nominal_value,
        min_per_member=params.get_int("min_per_member", 1) or 0,
        max_per_member=params.get_int("max_per_member"),
        currency=params.get_str("currency", "USD"),
        carries_vote=params.get_bool("carries_vote", True),
        transferable=params.get_bool("transferable"),
        redeemable=params.get_bool("redeemable", True),
        actor_user=token_user(request),
        authorised_by=params.get_str("authorised_by"),
    )
    return JsonResponse(share_class_entity(do_create_share_class(draft)), status=201)


@csrf_exempt
@api_view("POST", "PATCH")
@require_token("write:coop")
def change_share_class(request: HttpRequest, share_class_id: int) -> JsonResponse:
    """Change a share class (the fields given; an empty max_per_member removes the maximum)."""
    share_class = ShareClass.objects.filter(pk=share_class_id).first()
    if share_class is None:
        raise ApiError("Record not found", 404)
    params = ApiParams.from_request(request)
    clear_max = "max_per_member" in params and not params.get_str("max_per_member").strip()
    change = check_change_share_class(
        share_class,
        name=params.get_optional_str("name"),
        nominal_value=_decimal(params, "nominal_value", required=False),
        min_per_member=params.get_int("min_per_member"),
        max_per_member=None if clear_max else params.get_int("max_per_member"),
        clear_max=clear_max,
        carries_vote=_optional_bool(params, "carries_vote"),
        transferable=_optional_bool(params, "transferable"),
        redeemable=_optional_bool(params, "redeemable"),
        actor_user=token_user(request),
        authorised_by=params.get_str("authorised_by"),
    )
    return JsonResponse(share_class_entity(do_change_share_class(change)))


def _tier_settings(params: ApiParams, base: DuesTierDraft) -> DuesTierDraft:
    amount = _decimal(params, "monthly_amount", required=False)
    top = _decimal(params, "sliding_scale_max", required=False)
    clear_top = "sliding_scale_max" in params and top is None
    return DuesTierDraft(
        name=params.get_optional_str("name") or base.name,
        monthly_amount=base.monthly_amount if amount is None else amount,
        currency=params.get_str("currency") or base.currency,
        description=params.get_str("description") if "description" in params else base.description,
        period_months=params.get_int("period_months") or base.period_months,
        sliding_scale_max=None if clear_top else (top if top is not None else base.sliding_scale_max),
        hardship_waiver=params.get_bool("hardship_waiver", base.hardship_waiver),
    )


@csrf_exempt
@api_view("GET", "POST")
def dues_tiers(request: HttpRequest) -> HttpResponse:
    """Return the steps of the sliding scale (GET), or add one (POST)."""
    return _create_dues_tier(request) if request.method == "POST" else _list_dues_tiers(request)


@require_token("read:coop")
def _list_dues_tiers(request: HttpRequest) -> JsonResponse:
    return JsonResponse([dues_tier_entity(tier) for tier in DuesTier.objects.order_by("monthly_amount")], safe=False)


@require_token("write:coop")
def _create_dues_tier(request: HttpRequest) -> JsonResponse:
    """Add a dues tier (treasurers, unless the bylaws reserve it to a decision named in authorised_by).

    Parameters: name, monthly_amount[, currency, description, period_months,
    sliding_scale_max, hardship_waiver, authorised_by].
    """
    params = ApiParams.from_request(request)
    if not params.get_bool("hardship_waiver"):
        _decimal(params, "monthly_amount")
    draft = check_create_dues_tier(
        _tier_settings(params, DuesTierDraft(name="", monthly_amount=Decimal(0))),
        actor_user=token_user(request),
        authorised_by=params.get_str("authorised_by"),
    )
    return JsonResponse(dues_tier_entity(do_create_dues_tier(draft)), status=201)


@csrf_exempt
@api_view("POST", "PATCH")
@require_token("write:coop")
def change_dues_tier(request: HttpRequest, tier_id: int) -> JsonResponse:
    """Change a tier (the fields given; an empty sliding_scale_max makes it a fixed amount)."""
    tier = DuesTier.objects.filter(pk=tier_id).first()
    if tier is None:
        raise ApiError("Record not found", 404)
    params = ApiParams.from_request(request)
    change = check_change_dues_tier(
        tier,
        _tier_settings(params, tier_settings(tier)),
        actor_user=token_user(request),
        authorised_by=params.get_str("authorised_by"),
    )
    return JsonResponse(dues_tier_entity(do_change_dues_tier(change)))


def _csv_text(params: ApiParams) -> str:
    upload = params.get_file("file")
    if upload is not None:
        if upload.size is not None and upload.size > MAX_CSV_BYTES:
            raise ApiError("The CSV is too large", 422)
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ApiError("The CSV must be UTF-8 text", 422) from None
    text = params.get_str("csv")
    if not text.strip():
        raise ApiError("Give the CSV as a file upload (file) or as text (csv)", 422)
    if len(text) > MAX_CSV_BYTES:
        raise ApiError("The CSV is too large", 422)
    return text


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def import_dues_payments(request: HttpRequest) -> JsonResponse:
    """Record the dues payments of a CSV (member, amount, date, reference), all or none (treasurers)."""
    treasurer = token_user(request)
    checked = check_import_dues_csv(_csv_text(ApiParams.from_request(request)), recorded_by=treasurer)
    payments = do_import_dues_csv(checked, recorded_by=treasurer)
    return JsonResponse(
        {"recorded": [dues_payment_entity(payment) for payment in payments], "skipped": checked.skipped}, status=201
    )


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def record_contribution(request: HttpRequest) -> JsonResponse:
    """Record hours a member contributed (members of the group, or admins): member, group, hours, worked_on."""
    params = ApiParams.from_request(request)
    group = WorkingGroup.objects.filter(name__iexact=params.get_str("group").strip()).first()
    if group is None:
        raise ApiError("group must name a working group", 422)
    hours = _decimal(params, "hours")
    assert hours is not None  # noqa: S101 (required above)
    draft = check_record_contribution(
        group,
        _member(params, "member"),
        hours=hours,
        worked_on=_date(params, "worked_on") or timezone.localdate(),
        recorded_by=token_user(request),
    )
    record = do_record_contribution(draft, description=params.get_str("description")[:200])
    return JsonResponse(contribution_entity(record), status=201)


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def import_contributions(request: HttpRequest) -> JsonResponse:
    """Record the contributions of a CSV (member, hours, date, group[, description]), all or none."""
    checked = check_import_contributions_csv(
        _csv_text(ApiParams.from_request(request)), recorded_by=token_user(request)
    )
    records = do_import_contributions_csv(checked)
    return JsonResponse({"recorded": [contribution_entity(record) for record in records]}, status=201)


@csrf_exempt
@api_view("GET", "POST")
def allocations(request: HttpRequest) -> HttpResponse:
    """Return the patronage allocations (GET, officers), or allocate a period's surplus (POST)."""
    return _allocate(request) if request.method == "POST" else _list_allocations(request)


@require_token("read:coop")
def _list_allocations(request: HttpRequest) -> JsonResponse:
    access_register_by_officer(token_user(request))
    return JsonResponse([allocation_entity(a) for a in PatronageAllocation.objects.order_by("-period_end")], safe=False)


@require_token("write:coop")
def _allocate(request: HttpRequest) -> JsonResponse:
    """Allocate a period's surplus as patronage; the bylaws say whether authorised_by must name a decision.

    Parameters: label, period_start, period_end, surplus, reserve_fraction,
    pools[i][name|fraction|measure|cap|share_class_id][, capital_rate, authorised_by].
    """
    params = ApiParams.from_request(request)
    start, end, surplus = _date(params, "period_start"), _date(params, "period_end"), _decimal(params, "surplus")
    if start is None or end is None or surplus is None:
        raise ApiError("period_start and period_end are required", 422)
    pools = [
        pool
        for _, pool in sorted(
            params.get_dicts("pools").items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0
        )
    ]
    formula = parse_formula(params.get_str("reserve_fraction"), pools, capital_rate=params.get_str("capital_rate"))
    draft = check_allocate_patronage(
        params.get_str("label"),
        period_start=start,
        period_end=end,
        surplus=surplus,
        formula=formula,
        authorised_by=params.get_str("authorised_by"),
        actor_user=token_user(request),
    )
    return JsonResponse(allocation_entity(do_allocate_patronage(draft), with_statements=True), status=201)


@api_view("GET")
@require_token("read:coop")
def allocation(request: HttpRequest, allocation_id: int) -> JsonResponse:
    """Return one allocation with every member's statement (officers); they add up to what was allocated."""
    return JsonResponse(
        allocation_entity(access_allocation_by_id(token_user(request), allocation_id), with_statements=True)
    )


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
