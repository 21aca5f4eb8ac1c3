"""Define and change the classes of shares the co-op issues.

Where the bylaws reserve share classes to the assembly, a change names the
decision that made it (`authorised_by`); otherwise a treasurer or an admin
makes it. A class's vote never counts more than once: carrying a vote only
makes its holders eligible, one vote each, whatever they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from members.actions.authority import check_ownership_authority
from members.errors import MemberRefused
from members.holdings import derived_holdings
from members.models import RegisterEntry, ShareClass, User
from members.selectors import bylaws_in_force

RESERVED_TO_ASSEMBLY = "The bylaws reserve share classes to the assembly: open a proposal, or name the decision."


@dataclass(frozen=True)
class ShareClassDraft:
    """A new share class's name, value and holding limits, checked."""

    name: str
    nominal_value: Decimal
    min_per_member: int
    max_per_member: int | None
    currency: str = "USD"
    carries_vote: bool = True
    transferable: bool = False
    redeemable: bool = True


def _check_fields(name: str, nominal_value: Decimal, min_per_member: int, max_per_member: int | None) -> None:
    if not name.strip():
        raise MemberRefused("A share class needs a name.")
    if len(name.strip()) > ShareClass._meta.get_field("name").max_length:  # type: ignore[operator]
        raise MemberRefused("A share class's name is at most 100 characters.")
    if not nominal_value.is_finite() or nominal_value <= 0:
        raise MemberRefused("Nominal value must be positive.")
    if nominal_value != nominal_value.quantize(Decimal("0.01")):
        raise MemberRefused("Nominal value is in whole cents.")
    if min_per_member < 0:
        raise MemberRefused("The minimum holding cannot be negative.")
    if max_per_member is not None and max_per_member < min_per_member:
        raise MemberRefused("The maximum holding cannot be below the minimum.")


def _check_currency(currency: str) -> str:
    if len(currency) != 3 or not currency.isalpha():
        raise MemberRefused("The currency must be a three-letter code such as USD.")
    return currency.upper()


def check_create_share_class(
    name: str,
    nominal_value: Decimal,
    *,
    min_per_member: int = 1,
    max_per_member: int | None = None,
    currency: str = "USD",
    carries_vote: bool = True,
    transferable: bool = False,
    redeemable: bool = True,
    actor_user: User | None = None,
    authorised_by: str = "",
) -> ShareClassDraft:
    """Validate a new share class and the authority creating it; raise MemberRefused with the reason."""
    check_ownership_authority(
        bylaws_in_force().assembly_decides_share_classes,
        actor_user=actor_user,
        authorised_by=authorised_by,
        reserved_message=RESERVED_TO_ASSEMBLY,
    )
    _check_fields(name, nominal_value, min_per_member, max_per_member)
    if ShareClass.objects.filter(name__iexact=name.strip()).exists():
        raise MemberRefused(f"A share class named {name.strip()!r} exists already.")
    return ShareClassDraft(
        name.strip(),
        nominal_value.quantize(Decimal("0.01")),
        min_per_member,
        max_per_member,
        currency=_check_currency(currency),
        carries_vote=carries_vote,
        transferable=transferable,
        redeemable=redeemable,
    )


def do_create_share_class(draft: ShareClassDraft) -> ShareClass:
    """Create a share class."""
    with transaction.atomic():
        return ShareClass.objects.create(
            name=draft.name,
            nominal_value=draft.nominal_value,
            currency=draft.currency,
            min_per_member=draft.min_per_member,
            max_per_member=draft.max_per_member,
            carries_vote=draft.carries_vote,
            transferable=draft.transferable,
            redeemable=draft.redeemable,
        )


@dataclass(frozen=True)
class ShareClassChange:
    """A share class with its new settings, checked against the shares already issued."""

    share_class: ShareClass
    settings: ShareClassDraft


def check_change_share_class(
    share_class: ShareClass,
    *,
    name: str | None = None,
    nominal_value: Decimal | None = None,
    min_per_member: int | None = None,
    max_per_member: int | None = None,
    clear_max: bool = False,
    carries_vote: bool | None = None,
    transferable: bool | None = None,
    redeemable: bool | None = None,
    actor_user: User | None = None,
    authorised_by: str = "",
) -> ShareClassChange:
    """Validate a change of a share class: the value of issued shares is fixed, holders stay within limits."""
    check_ownership_authority(
        bylaws_in_force().assembly_decides_share_classes,
        actor_user=actor_user,
        authorised_by=authorised_by,
        reserved_message=RESERVED_TO_ASSEMBLY,
    )
    new = ShareClassDraft(
        name=(name if name is not None else share_class.name).strip(),
        nominal_value=share_class.nominal_value if nominal_value is None else nominal_value,
        min_per_member=share_class.min_per_member if min_per_member is None else min_per_member,
        max_per_member=None
        if clear_max
        else (max_per_member if max_per_member is not None else share_class.max_per_member),
        currency=share_class.currency,
        carries_vote=share_class.carries_vote if carries_vote is None else carries_vote,
        transferable=share_class.transferable if transferable is None else transferable,
        redeemable=share_class.redeemable if redeemable is None else redeemable,
    )
    _check_fields(new.name, new.nominal_value, new.min_per_member, new.max_per_member)
    if ShareClass.objects.filter(name__iexact=new.name).exclude(pk=share_class.pk).exists():
        raise MemberRefused(f"A share class named {new.name!r} exists already.")
    issued = RegisterEntry.objects.filter(share_class=share_class).exists()
    if issued and new.nominal_value != share_class.nominal_value:
        # Redemption is at most the nominal value members paid: changing it would change their claim.
        raise MemberRefused("Shares of this class are on the register; their nominal value cannot change.")
    held = [quantity for (_, class_id), quantity in derived_holdings().items() if class_id == share_class.pk]
    if new.max_per_member is not None and any(quantity > new.max_per_member for quantity in held):
        raise MemberRefused("A member holds more than the new maximum; redeem or transfer first.")
    if any(0 < quantity < new.min_per_member for quantity in held):
        raise MemberRefused("A member holds fewer than the new minimum; issue more shares first.")
    if new == ShareClassDraft(
        share_class.name,
        share_class.nominal_value,
        share_class.min_per_member,
        share_class.max_per_member,
        share_class.currency,
        share_class.carries_vote,
        share_class.transferable,
        share_class.redeemable,
    ):
        raise MemberRefused("Nothing would change.")
    return ShareClassChange(share_class, new)


def do_change_share_class(change: ShareClassChange) -> ShareClass:
    """Store a share class's new settings."""
    share_class, new = change.share_class, change.settings
    fields = ["name", "nominal_value", "min_per_member", "max_per_member", "carries_vote", "transferable", "redeemable"]
    for field in fields:
        setattr(share_class, field, getattr(new, field))
    with transaction.atomic():
        share_class.save(update_fields=fields)
    return share_class
