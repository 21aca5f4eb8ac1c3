"""Append operations to the share register: subscribe, confirm payment, issue, transfer, redeem, correct.

Every entry names who approved it or which decision authorised it, and is
chained to the previous entry by its hash. Nothing here edits an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from members.actions.lifecycle import do_admit_applicant, do_resign_member, holds_voting_minimum
from members.chain import compute_entry_hash
from members.errors import MemberRefused, NotPermitted
from members.holdings import holding_limit_problem, holdings_of
from members.models import Membership, MembershipStatus, RegisterEntry, Role, ShareClass, User
from members.models.register import GENESIS_HASH
from members.selectors import bylaws_in_force, membership_status, user_has_role

Kind = RegisterEntry.Kind
ADMISSION_ON_PAYMENT = "Bylaws: admission on payment of the minimum shares"


# Any fixed number: the key of the advisory lock that serialises appends.
REGISTER_LOCK_KEY = 7_001_001


def _lock_register() -> None:
    """Hold the register's append lock until the transaction ends.

    Locking the last row is not enough on PostgreSQL: a second writer waiting
    on it would still read the old last row and collide on the sequence.
    SQLite serialises writing transactions by itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTER_LOCK_KEY])


def append_entry(entry: RegisterEntry) -> RegisterEntry:
    """Number, timestamp, chain and store an entry at the end of the register."""
    with transaction.atomic():
        _lock_register()
        last = RegisterEntry.objects.order_by("-sequence").first()
        entry.sequence = last.sequence + 1 if last else 1
        entry.previous_hash = last.entry_hash if last else GENESIS_HASH
        entry.recorded_at = timezone.now()
        entry.entry_hash = compute_entry_hash(entry)
        entry.save(force_insert=True)
    return entry


def _require_approval(approved_by: User | None, authorised_by: str, role: Role) -> None:
    if approved_by is None and not authorised_by.strip():
        raise MemberRefused("The entry must name who approved it or the decision that authorised it.")
    if approved_by is not None and not (user_has_role(approved_by, role) or user_has_role(approved_by, Role.ADMIN)):
        raise NotPermitted(f"Only a {role.label.lower()} may approve this entry.")


def _require_quantity(quantity: int) -> None:
    if quantity < 1:
        raise MemberRefused("The number of shares must be at least 1.")


def _require_limits(user: User, share_class: ShareClass, change: int, effective_date: date) -> None:
    problem = holding_limit_problem(user.pk, share_class, change, effective_date)
    if problem is not None:
        raise MemberRefused(f"This entry {problem} for {user.username}.")


def _require_minimum_or_nothing(user: User, share_class: ShareClass, change: int) -> None:
    after = holdings_of(user.pk).get(share_class.pk, 0) + change
    if 0 < after < share_class.min_per_member:
        raise MemberRefused(
            f"{user.username} would hold {after} {share_class.name}, below the minimum of "
            f"{share_class.min_per_member}; hold at least the minimum or none."
        )


def _effective(effective_date: date | None) -> date:
    return effective_date or timezone.localdate()


@dataclass(frozen=True)
class SubscriptionDraft:
    """A request for shares that passed its checks, effective on `effective_date`."""

    user: User
    share_class: ShareClass
    quantity: int
    effective_date: date


def check_request_subscription(
    user: User, share_class: ShareClass, quantity: int, *, effective_date: date | None = None
) -> SubscriptionDraft:
    """Validate a request for shares by an applicant or member."""
    _require_quantity(quantity)
    if membership_status(user) not in (MembershipStatus.APPLICANT, MembershipStatus.MEMBER):
        raise MemberRefused("Only applicants and members may subscribe for shares.")
    day = _effective(effective_date)
    _require_limits(user, share_class, quantity, day)
    _require_minimum_or_nothing(user, share_class, quantity)
    return SubscriptionDraft(user, share_class, quantity, day)


def do_request_subscription(draft: SubscriptionDraft, *, note: str = "") -> RegisterEntry:
    """Record the request for shares at their nominal value."""
    return append_entry(
        RegisterEntry(
            kind=Kind.SUBSCRIPTION_REQUEST,
            share_class=draft.share_class,
            to_user=draft.user,
            quantity=draft.quantity,
            price_per_share=draft.share_class.nominal_value,
            amount=draft.share_class.nominal_value * draft.quantity,
            effective_date=draft.effective_date,
            note=note,
        )
    )


def _followers(request: RegisterEntry, kind: Kind) -> bool:
    return RegisterEntry.objects.filter(request=request, kind=kind, reversal__isnull=True).exists()


def check_confirm_payment(request: RegisterEntry, *, approved_by: User | None, authorised_by: str = "") -> None:
    """Validate a treasurer's confirmation that a subscription was paid in full."""
    if request.kind != Kind.SUBSCRIPTION_REQUEST:
        raise MemberRefused("Only a subscription request can be confirmed as paid.")
    if _followers(request, Kind.PAYMENT_CONFIRMATION):
        raise MemberRefused(f"The payment for entry #{request.sequence} is confirmed already.")
    _require_approval(approved_by, authorised_by, Role.TREASURER)


def do_confirm_payment(
    request: RegisterEntry,
    *,
    approved_by: User | None,
    authorised_by: str = "",
    effective_date: date | None = None,
    note: str = "",
) -> RegisterEntry:
    """Record that the subscription's amount was received."""
    return append_entry(
        RegisterEntry(
            kind=Kind.PAYMENT_CONFIRMATION,
            share_class=request.share_class,
            to_user=request.to_user,
            quantity=request.quantity,
            price_per_share=request.price_per_share,
            amount=request.amount,
            effective_date=_effective(effective_date),
            approved_by=approved_by,
            authorised_by=authorised_by.strip(),
            request=request,
            note=note,
        )
    )


@dataclass(frozen=True)
class IssueDraft:
    """The issue of a paid subscription's shares that passed its checks."""

    request: RegisterEntry
    approved_by: User | None
    authorised_by: str
    effective_date: date


def check_issue_shares(
    request: RegisterEntry, *, approved_by: User | None, authorised_by: str = "", effective_date: date | None = None
) -> IssueDraft:
    """Validate issuing the shares of a paid subscription."""
    if request.kind != Kind.SUBSCRIPTION_REQUEST or request.to_user is None:
        raise MemberRefused("Shares are issued against a subscription request.")
    if not _followers(request, Kind.PAYMENT_CONFIRMATION):
        raise MemberRefused(f"The payment for entry #{request.sequence} has not been confirmed.")
    if _followers(request, Kind.ISSUE):
        raise MemberRefused(f"The shares of entry #{request.sequence} are issued already.")
    _require_approval(approved_by, authorised_by, Role.MEMBERSHIP_OFFICER)
    holder = request.to_user
    if membership_status(holder) not in (MembershipStatus.APPLICANT, MembershipStatus.MEMBER):
        raise MemberRefused(f"{holder.username} is no longer an applicant or member.")
    day = _effective(effective_date)
    _require_limits(holder, request.share_class, request.quantity, day)
    _require_minimum_or_nothing(holder, request.share_class, request.quantity)
    return IssueDraft(request, approved_by, authorised_by, day)


def do_issue_shares(draft: IssueDraft, *, note: str = "") -> RegisterEntry:
    """Issue the subscribed shares; admit the applicant if the bylaws admit on payment alone."""
    request, approved_by, authorised_by = draft.request, draft.approved_by, draft.authorised_by
    holder = request.to_user
    assert holder is not None  # noqa: S101 (a subscription request always names its holder)
    with transaction.atomic():
        entry = append_entry(
            RegisterEntry(
                kind=Kind.ISSUE,
                share_class=request.share_class,
                to_user=holder,
                quantity=request.quantity,
                price_per_share=request.price_per_share,
                amount=request.amount,
                effective_date=draft.effective_date,
                approved_by=approved_by,
                authorised_by=authorised_by.strip(),
                request=request,
                note=note,
            )
        )
        if (
            membership_status(holder) == MembershipStatus.APPLICANT
            and not bylaws_in_force().admission_requires_approval
            and holds_voting_minimum(holder)
        ):
            do_admit_applicant(holder, actor_user=approved_by, authorised_by=authorised_by or ADMISSION_ON_PAYMENT)
    return entry


def do_record_paid_subscription(
    user: User,
    share_class: ShareClass,
    quantity: int,
    *,
    approved_by: User | None,
    authorised_by: str = "",
    effective_date: date | None = None,
) -> RegisterEntry:
    """Record a subscription paid and issued at once (the founding members, operator-made members)."""
    day = _effective(effective_date)
    with transaction.atomic():
        request = do_request_subscription(SubscriptionDraft(user, share_class, quantity, day))
        do_confirm_payment(request, approved_by=approved_by, authorised_by=authorised_by, effective_date=day)
        return do_issue_shares(IssueDraft(request, approved_by, authorised_by, day))


@dataclass(frozen=True)
class TransferDraft:
    """A transfer that passed its checks, at `price_per_share` (the nominal value unless agreed otherwise)."""

    from_user: User
    to_user: User
    share_class: ShareClass
    quantity: int
    approved_by: User | None
    authorised_by: str
    price_per_share: Decimal
    effective_date: date


def check_transfer_shares(
    from_user: User,
    to_user: User,
    share_class: ShareClass,
    quantity: int,
    *,
    approved_by: User | None,
    authorised_by: str = "",
    price_per_share: Decimal | None = None,
    effective_date: date | None = None,
) -> TransferDraft:
    """Validate a transfer on both sides: the giver holds enough, the receiver may hold them."""
    _require_quantity(quantity)
    if from_user == to_user:
        raise MemberRefused("Shares cannot be transferred to their own holder.")
    if not share_class.transferable:
        raise MemberRefused(f"{share_class.name} shares are not transferable.")
    if price_per_share is not None and price_per_share < 0:
        raise MemberRefused("The price cannot be negative.")
    _require_approval(approved_by, authorised_by, Role.TREASURER)
    if membership_status(to_user) not in (MembershipStatus.APPLICANT, MembershipStatus.MEMBER):
        raise MemberRefused(f"{to_user.username} is not an applicant or member and cannot receive shares.")
    day = _effective(effective_date)
    _require_limits(from_user, share_class, -quantity, day)
    _require_limits(to_user, share_class, quantity, day)
    _require_minimum_or_nothing(from_user, share_class, -quantity)
    _require_minimum_or_nothing(to_user, share_class, quantity)
    price = share_class.nominal_value if price_per_share is None else price_per_share
    return TransferDraft(from_user, to_user, share_class, quantity, approved_by, authorised_by, price, day)


def do_transfer_shares(draft: TransferDraft, *, note: str = "") -> RegisterEntry:
    """Move shares between holders; a giver left with no shares stops being a member."""
    with transaction.atomic():
        entry = append_entry(
            RegisterEntry(
                kind=Kind.TRANSFER,
                share_class=draft.share_class,
                from_user=draft.from_user,
                to_user=draft.to_user,
                quantity=draft.quantity,
                price_per_share=draft.price_per_share,
                amount=draft.price_per_share * draft.quantity,
                effective_date=draft.effective_date,
                approved_by=draft.approved_by,
                authorised_by=draft.authorised_by.strip(),
                note=note,
            )
        )
        _end_membership_if_emptied(draft.from_user, draft.approved_by, draft.authorised_by)
    return entry


@dataclass(frozen=True)
class RedemptionDraft:
    """A redemption that passed its checks, at `price_per_share` (at most the nominal value)."""

    user: User
    share_class: ShareClass
    quantity: int
    approved_by: User | None
    authorised_by: str
    price_per_share: Decimal
    effective_date: date


def check_redeem_shares(
    user: User,
    share_class: ShareClass,
    quantity: int,
    *,
    approved_by: User | None,
    authorised_by: str = "",
    price_per_share: Decimal | None = None,
    effective_date: date | None = None,
) -> RedemptionDraft:
    """Validate a redemption: at most nominal value, of shares held, leaving the minimum or none.

    A class that is not redeemable is bought back only on a decision naming it.
    """
    _require_quantity(quantity)
    if not share_class.redeemable and not authorised_by.strip():
        raise MemberRefused(
            f"{share_class.name} shares are not redeemable; transfer them, or name the decision that redeems them."
        )
    price = share_class.nominal_value if price_per_share is None else price_per_share
    if price > share_class.nominal_value:
        raise MemberRefused(
            f"Shares are redeemed at most at their nominal value ({share_class.nominal_value} {share_class.currency})."
        )
    if price < 0:
        raise MemberRefused("The price cannot be negative.")
    _require_approval(approved_by, authorised_by, Role.TREASURER)
    day = _effective(effective_date)
    _require_limits(user, share_class, -quantity, day)
    _require_minimum_or_nothing(user, share_class, -quantity)
    return RedemptionDraft(user, share_class, quantity, approved_by, authorised_by, price, day)


def do_redeem_shares(draft: RedemptionDraft, *, note: str = "") -> RegisterEntry:
    """Redeem shares, due for payout after the bylaws' delay; a member left with none leaves."""
    price, day = draft.price_per_share, draft.effective_date
    with transaction.atomic():
        entry = append_entry(
            RegisterEntry(
                kind=Kind.REDEMPTION,
                share_class=draft.share_class,
                from_user=draft.user,
                quantity=draft.quantity,
                price_per_share=price,
                amount=price * draft.quantity,
                effective_date=day,
                payout_due=day + timedelta(days=bylaws_in_force().redemption_payout_days),
                approved_by=draft.approved_by,
                authorised_by=draft.authorised_by.strip(),
                note=note,
            )
        )
        _end_membership_if_emptied(draft.user, draft.approved_by, draft.authorised_by)
    return entry


def _end_membership_if_emptied(user: User, approved_by: User | None, authorised_by: str) -> None:
    membership = Membership.objects.filter(user=user).first()
    if (
        membership is not None
        and membership.status in (MembershipStatus.MEMBER, MembershipStatus.SUSPENDED)
        and not holdings_of(user.pk)
    ):
        do_resign_member(
            user,
            reason="Holdings reached zero.",
            actor_user=approved_by,
            authorised_by=authorised_by or "Bylaws: membership ends when holdings reach zero",
        )


REVERSIBLE_KINDS = (Kind.PAYMENT_CONFIRMATION, Kind.ISSUE, Kind.TRANSFER, Kind.REDEMPTION)


@dataclass(frozen=True)
class CorrectionDraft:
    """The reversal of an entry that passed its checks."""

    entry: RegisterEntry
    reason: str
    approved_by: User | None
    authorised_by: str
    effective_date: date


def check_correct_entry(
    entry: RegisterEntry,
    *,
    reason: str,
    approved_by: User | None,
    authorised_by: str = "",
    effective_date: date | None = None,
) -> CorrectionDraft:
    """Validate a reversing entry: of a reversible entry, once, keeping every holding within limits."""
    if entry.kind not in REVERSIBLE_KINDS:
        raise MemberRefused(f"A {entry.get_kind_display().lower()} cannot be corrected by reversal.")
    if RegisterEntry.objects.filter(reverses=entry).exists():
        raise MemberRefused(f"Entry #{entry.sequence} has been reversed already.")
    if not reason.strip():
        raise MemberRefused("A correction needs a reason.")
    _require_approval(approved_by, authorised_by, Role.TREASURER)
    day = _effective(effective_date)
    if entry.kind == Kind.PAYMENT_CONFIRMATION:
        if entry.request is not None and _followers(entry.request, Kind.ISSUE):
            raise MemberRefused("Reverse the issue of these shares before their payment confirmation.")
        return CorrectionDraft(entry, reason, approved_by, authorised_by, day)
    if entry.to_user is not None:
        _require_limits(entry.to_user, entry.share_class, -entry.quantity, day)
    if entry.from_user is not None:
        _require_limits(entry.from_user, entry.share_class, entry.quantity, day)
    return CorrectionDraft(entry, reason, approved_by, authorised_by, day)


def do_correct_entry(draft: CorrectionDraft) -> RegisterEntry:
    """Append the entry's reverse: the same shares moved back, citing the entry and the reason."""
    entry, approved_by, authorised_by = draft.entry, draft.approved_by, draft.authorised_by
    with transaction.atomic():
        correction = append_entry(
            RegisterEntry(
                kind=Kind.CORRECTION,
                share_class=entry.share_class,
                from_user=entry.to_user if entry.kind != Kind.PAYMENT_CONFIRMATION else None,
                to_user=entry.from_user if entry.kind != Kind.PAYMENT_CONFIRMATION else None,
                quantity=entry.quantity,
                price_per_share=entry.price_per_share,
                amount=entry.amount,
                effective_date=draft.effective_date,
                approved_by=approved_by,
                authorised_by=authorised_by.strip(),
                reverses=entry,
                request=entry.request,
                note=draft.reason.strip(),
            )
        )
        if entry.to_user is not None and entry.kind != Kind.PAYMENT_CONFIRMATION:
            _end_membership_if_emptied(entry.to_user, approved_by, authorised_by)
    return correction
