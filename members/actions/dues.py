"""Record dues: tiers of the sliding scale, payments entered by a treasurer or imported from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.errors import MemberRefused, NotPermitted
from members.models import DuesPayment, DuesTier, Membership, Role, User
from members.selectors import user_has_role

MAX_MONTHS_PER_PAYMENT = 24


def check_create_dues_tier(name: str, monthly_amount: Decimal) -> None:
    """Validate a new step of the sliding scale."""
    if not name.strip():
        raise MemberRefused("A dues tier needs a name.")
    if DuesTier.objects.filter(name__iexact=name.strip()).exists():
        raise MemberRefused(f"A dues tier named {name!r} exists already.")
    if monthly_amount <= 0:
        raise MemberRefused("The monthly amount must be positive.")


def do_create_dues_tier(
    name: str, monthly_amount: Decimal, *, currency: str = "USD", description: str = ""
) -> DuesTier:
    """Create a dues tier."""
    return DuesTier.objects.create(
        name=name.strip(), monthly_amount=monthly_amount, currency=currency, description=description
    )


def check_choose_dues_tier(user: User, tier: DuesTier) -> Membership:
    """Validate a member's choice of tier; return their membership."""
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        raise MemberRefused(f"{user.username} has not applied for membership.")
    return membership


def do_choose_dues_tier(membership: Membership, tier: DuesTier) -> None:
    """Record the tier the member pledges to pay."""
    membership.dues_tier = tier
    membership.save(update_fields=["dues_tier"])


@dataclass(frozen=True)
class DuesPaymentDraft:
    """A payment that passed its checks."""

    user: User
    period: date
    months: int
    amount: Decimal
    currency: str
    paid_on: date
    external_id: str
    source: str


def check_record_dues_payment(
    user: User,
    *,
    amount: Decimal,
    paid_on: date,
    recorded_by: User,
    period: date | None = None,
    months: int = 1,
    currency: str = "USD",
    external_id: str = "",
    source: str = DuesPayment.Source.MANUAL,
) -> DuesPaymentDraft:
    """Validate a dues payment entered by a treasurer or imported."""
    if not (user_has_role(recorded_by, Role.TREASURER) or user_has_role(recorded_by, Role.ADMIN)):
        raise NotPermitted("Only a treasurer may record dues payments.")
    if not Membership.objects.filter(user=user).exists():
        raise MemberRefused(f"{user.username} has not applied for membership.")
    if amount <= 0:
        raise MemberRefused("The amount must be positive.")
    if not 1 <= months <= MAX_MONTHS_PER_PAYMENT:
        raise MemberRefused(f"A payment covers between 1 and {MAX_MONTHS_PER_PAYMENT} months.")
    if paid_on > timezone.localdate():
        raise MemberRefused("The payment date is in the future.")
    if len(currency) != 3 or not currency.isalpha():
        raise MemberRefused("The currency must be a three-letter code such as USD.")
    if external_id and DuesPayment.objects.filter(source=source, external_id=external_id).exists():
        raise MemberRefused(f"Payment {external_id!r} has been recorded already.")
    return DuesPaymentDraft(
        user=user,
        period=(period or paid_on).replace(day=1),
        months=months,
        amount=amount,
        currency=currency.upper(),
        paid_on=paid_on,
        external_id=external_id,
        source=source,
    )


def do_record_dues_payment(draft: DuesPaymentDraft, *, recorded_by: User, note: str = "") -> DuesPayment:
    """Store a checked dues payment."""
    return DuesPayment.objects.create(
        user=draft.user,
        period=draft.period,
        months=draft.months,
        amount=draft.amount,
        currency=draft.currency,
        paid_on=draft.paid_on,
        source=draft.source,
        external_id=draft.external_id,
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
        note=note,
    )


# Columns of a dues CSV; `member` is a username or an email address.
CSV_REQUIRED = ("member", "amount", "paid_on")
CSV_OPTIONAL = ("currency", "period", "months", "external_id")


@dataclass(frozen=True)
class DuesCsvRow:
    """One parsed line of a dues CSV, before its checks."""

    line: int
    member: str
    amount: Decimal
    paid_on: date
    currency: str
    period: date | None
    months: int
    external_id: str


def parse_dues_csv(text: str) -> list[DuesCsvRow]:
    """Parse a dues CSV (header: member, amount, paid_on[, currency, period, months, external_id]).

    Dates are YYYY-MM-DD (period may be YYYY-MM). A malformed line raises
    MemberRefused naming its line number; nothing is parsed partially.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise MemberRefused(f"The CSV lacks the column(s): {', '.join(missing)}.")
    reader.fieldnames = header
    rows = []
    for line, raw in enumerate(reader, start=2):
        values = {key: (value or "").strip() for key, value in raw.items() if key is not None}
        try:
            period_text = values.get("period", "")
            rows.append(
                DuesCsvRow(
                    line=line,
                    member=values["member"],
                    amount=Decimal(values["amount"]),
                    paid_on=date.fromisoformat(values["paid_on"]),
                    currency=values.get("currency") or "USD",
                    period=date.fromisoformat(f"{period_text}-01" if len(period_text) == 7 else period_text)
                    if period_text
                    else None,
                    months=int(values.get("months") or 1),
                    external_id=values.get("external_id", ""),
                )
            )
        except (InvalidOperation, ValueError):
            raise MemberRefused(f"Line {line} of the CSV is malformed.") from None
    return rows


def find_member_for_row(row: DuesCsvRow) -> User:
    """Return the user a CSV row names by username or email."""
    user = User.objects.filter(Q(username__iexact=row.member) | Q(email__iexact=row.member)).first()
    if user is None:
        raise MemberRefused(f"Line {row.line}: no member {row.member!r}.")
    return user


def check_import_dues_row(row: DuesCsvRow, *, recorded_by: User) -> DuesPaymentDraft:
    """Validate one imported row as a payment."""
    try:
        return check_record_dues_payment(
            find_member_for_row(row),
            amount=row.amount,
            paid_on=row.paid_on,
            recorded_by=recorded_by,
            period=row.period,
            months=row.months,
            currency=row.currency,
            external_id=row.external_id,
            source=DuesPayment.Source.IMPORT,
        )
    except MemberRefused as exc:
        message = str(exc)
        raise type(exc)(message if message.startswith("Line ") else f"Line {row.line}: {message}") from None


def do_import_dues_row(draft: DuesPaymentDraft, *, recorded_by: User) -> DuesPayment:
    """Store one imported payment."""
    with transaction.atomic():
        return do_record_dues_payment(draft, recorded_by=recorded_by, note="Imported from CSV")
