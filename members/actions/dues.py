"""Record dues: tiers of the sliding scale, payments entered by a treasurer or imported from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.actions.authority import check_ownership_authority
from members.errors import MemberRefused, NotPermitted
from members.models import DuesPayment, DuesTier, DuesTierChoice, Membership, Role, User
from members.selectors import bylaws_in_force, user_has_role

MAX_MONTHS_PER_PAYMENT = 24
DUES_TIER_NAME_MAX = 100
DUES_TIER_DESCRIPTION_MAX = 200


DUES_PERIODS = {1: "month", 3: "quarter", 12: "year"}
RESERVED_TO_ASSEMBLY = "The bylaws reserve dues tiers to the assembly: open a proposal, or name the decision."


@dataclass(frozen=True)
class DuesTierDraft:
    """A step of the sliding scale that passed its checks."""

    name: str
    monthly_amount: Decimal
    currency: str = "USD"
    description: str = ""
    period_months: int = 1
    sliding_scale_max: Decimal | None = None
    hardship_waiver: bool = False


def _check_tier_fields(draft: DuesTierDraft, *, exclude_pk: int = 0) -> DuesTierDraft:
    if not draft.name.strip():
        raise MemberRefused("A dues tier needs a name.")
    if len(draft.name.strip()) > DUES_TIER_NAME_MAX:
        raise MemberRefused(f"A dues tier's name is at most {DUES_TIER_NAME_MAX} characters.")
    if DuesTier.objects.filter(name__iexact=draft.name.strip()).exclude(pk=exclude_pk).exists():
        raise MemberRefused(f"A dues tier named {draft.name.strip()!r} exists already.")
    amounts = [draft.monthly_amount] + ([draft.sliding_scale_max] if draft.sliding_scale_max is not None else [])
    if any(not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) for amount in amounts):
        raise MemberRefused("Amounts are in whole cents.")
    if draft.hardship_waiver:
        if draft.monthly_amount != 0 or draft.sliding_scale_max is not None:
            raise MemberRefused("A hardship waiver pledges nothing: its amount is 0 and it has no scale.")
    elif draft.monthly_amount <= 0:
        raise MemberRefused("The monthly amount must be positive (or the tier a hardship waiver).")
    if draft.sliding_scale_max is not None and draft.sliding_scale_max < draft.monthly_amount:
        raise MemberRefused("The top of the sliding scale cannot be below its bottom.")
    if draft.period_months not in DUES_PERIODS:
        raise MemberRefused("Dues are paid every month, quarter or year (1, 3 or 12 months).")
    if len(draft.currency) != 3 or not draft.currency.isalpha():
        raise MemberRefused("The currency must be a three-letter code such as USD.")
    if len(draft.description) > DUES_TIER_DESCRIPTION_MAX:
        raise MemberRefused(f"The description is at most {DUES_TIER_DESCRIPTION_MAX} characters.")
    cent = Decimal("0.01")
    top = None if draft.sliding_scale_max is None else draft.sliding_scale_max.quantize(cent)
    return replace(
        draft,
        name=draft.name.strip(),
        monthly_amount=draft.monthly_amount.quantize(cent),
        sliding_scale_max=top,
        currency=draft.currency.upper(),
        description=draft.description.strip(),
    )


def check_create_dues_tier(
    draft: DuesTierDraft, *, actor_user: User | None = None, authorised_by: str = ""
) -> DuesTierDraft:
    """Validate a new step of the sliding scale and the authority adding it."""
    check_ownership_authority(
        bylaws_in_force().assembly_decides_dues_tiers,
        actor_user=actor_user,
        authorised_by=authorised_by,
        reserved_message=RESERVED_TO_ASSEMBLY,
    )
    return _check_tier_fields(draft)


def do_create_dues_tier(draft: DuesTierDraft) -> DuesTier:
    """Create a dues tier."""
    with transaction.atomic():
        return DuesTier.objects.create(**asdict(draft))


@dataclass(frozen=True)
class DuesTierChange:
    """A dues tier with its new settings, checked."""

    tier: DuesTier
    settings: DuesTierDraft


def tier_settings(tier: DuesTier) -> DuesTierDraft:
    """Return a tier's current settings, to change some of them with `dataclasses.replace`."""
    return DuesTierDraft(
        name=tier.name,
        monthly_amount=tier.monthly_amount,
        currency=tier.currency,
        description=tier.description,
        period_months=tier.period_months,
        sliding_scale_max=tier.sliding_scale_max,
        hardship_waiver=tier.hardship_waiver,
    )


def check_change_dues_tier(
    tier: DuesTier, settings: DuesTierDraft, *, actor_user: User | None = None, authorised_by: str = ""
) -> DuesTierChange:
    """Validate new settings for a tier; members who chose it keep it, at its new amount."""
    check_ownership_authority(
        bylaws_in_force().assembly_decides_dues_tiers,
        actor_user=actor_user,
        authorised_by=authorised_by,
        reserved_message=RESERVED_TO_ASSEMBLY,
    )
    checked = _check_tier_fields(settings, exclude_pk=tier.pk)
    if checked == tier_settings(tier):
        raise MemberRefused("Nothing would change.")
    return DuesTierChange(tier, checked)


def do_change_dues_tier(change: DuesTierChange) -> DuesTier:
    """Store a tier's new settings."""
    values = asdict(change.settings)
    for field, value in values.items():
        setattr(change.tier, field, value)
    with transaction.atomic():
        change.tier.save(update_fields=list(values))
    return change.tier


def check_choose_dues_tier(user: User, tier: DuesTier) -> Membership:
    """Validate a member's choice of tier; return their membership."""
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        raise MemberRefused(f"{user.username} has not applied for membership.")
    if membership.dues_tier_id == tier.pk:
        raise MemberRefused(f"You are on the {tier.name} tier already.")
    return membership


@transaction.atomic
def do_choose_dues_tier(membership: Membership, tier: DuesTier) -> None:
    """Record the tier the member pledges to pay, from now on; a hardship tier waives the months it covers."""
    membership.dues_tier = tier
    membership.save(update_fields=["dues_tier"])
    DuesTierChoice.objects.create(user_id=membership.user_id, tier=tier, chosen_at=timezone.now())


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
# Names a spreadsheet or payment platform may use for the same columns.
CSV_ALIASES = {"date": "paid_on", "reference": "external_id"}


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

    Dates are YYYY-MM-DD (period may be YYYY-MM); `date` may name the paid_on
    column and `reference` the external_id one. A malformed line raises
    MemberRefused naming its line number; nothing is parsed partially.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [CSV_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in reader.fieldnames or []]
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


@dataclass(frozen=True)
class DuesImport:
    """The payments of a whole CSV that passed their checks, and the lines imported before."""

    drafts: tuple[DuesPaymentDraft, ...]
    skipped: int


def check_import_dues_csv(text: str, *, recorded_by: User) -> DuesImport:
    """Validate every line of a dues CSV; refuse the whole file, naming each bad line, if one is bad.

    Lines whose reference was imported before are skipped, so an export can be
    imported again.
    """
    if not (user_has_role(recorded_by, Role.TREASURER) or user_has_role(recorded_by, Role.ADMIN)):
        raise NotPermitted("Only a treasurer may record dues payments.")
    rows = parse_dues_csv(text)
    if not rows:
        raise MemberRefused("The CSV holds no payments.")
    drafts: list[DuesPaymentDraft] = []
    problems: list[str] = []
    seen: set[str] = set()
    skipped = 0
    for row in rows:
        if (
            row.external_id
            and DuesPayment.objects.filter(source=DuesPayment.Source.IMPORT, external_id=row.external_id).exists()
        ):
            skipped += 1
            continue
        if row.external_id and row.external_id in seen:
            problems.append(f"Line {row.line}: reference {row.external_id!r} appears twice.")
            continue
        seen.add(row.external_id)
        try:
            drafts.append(check_import_dues_row(row, recorded_by=recorded_by))
        except MemberRefused as exc:
            problems.append(str(exc))
    if problems:
        raise MemberRefused("Nothing was imported. " + " ".join(problems))
    return DuesImport(tuple(drafts), skipped)


def do_import_dues_csv(checked: DuesImport, *, recorded_by: User) -> list[DuesPayment]:
    """Store every payment of a checked CSV at once."""
    with transaction.atomic():
        return [
            do_record_dues_payment(draft, recorded_by=recorded_by, note="Imported from CSV") for draft in checked.drafts
        ]
