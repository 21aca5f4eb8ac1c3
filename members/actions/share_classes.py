"""Define the classes of shares the co-op issues, and change their terms."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from members.errors import MemberRefused
from members.models import ShareClass


@dataclass(frozen=True)
class ShareClassDraft:
    """A new share class's name, value and holding limits, checked."""

    name: str
    nominal_value: Decimal
    min_per_member: int
    max_per_member: int | None


def check_create_share_class(
    name: str, nominal_value: Decimal, *, min_per_member: int = 1, max_per_member: int | None = None
) -> ShareClassDraft:
    """Validate a new share class; raise MemberRefused with the reason."""
    if not name.strip():
        raise MemberRefused("A share class needs a name.")
    if ShareClass.objects.filter(name__iexact=name.strip()).exists():
        raise MemberRefused(f"A share class named {name!r} exists already.")
    if nominal_value <= 0:
        raise MemberRefused("Nominal value must be positive.")
    if max_per_member is not None and max_per_member < min_per_member:
        raise MemberRefused("The maximum holding cannot be below the minimum.")
    return ShareClassDraft(name.strip(), nominal_value, min_per_member, max_per_member)


def do_create_share_class(
    draft: ShareClassDraft, *, currency: str = "USD", carries_vote: bool = True, transferable: bool = False
) -> ShareClass:
    """Create a share class."""
    with transaction.atomic():
        return ShareClass.objects.create(
            name=draft.name,
            nominal_value=draft.nominal_value,
            currency=currency,
            min_per_member=draft.min_per_member,
            max_per_member=draft.max_per_member,
            carries_vote=carries_vote,
            transferable=transferable,
        )


@dataclass(frozen=True)
class ShareClassChangeDraft:
    """New terms for an existing share class, checked."""

    share_class: ShareClass
    name: str
    nominal_value: Decimal
    currency: str
    carries_vote: bool
    transferable: bool
    min_per_member: int
    max_per_member: int | None


def check_change_share_class(
    share_class: ShareClass,
    *,
    name: str,
    nominal_value: Decimal,
    currency: str,
    carries_vote: bool,
    transferable: bool,
    min_per_member: int,
    max_per_member: int | None,
) -> ShareClassChangeDraft:
    """Validate new terms for a share class; raise MemberRefused with the reason.

    Its value and currency stay as they are once the register holds any of
    its shares: every entry records the price at the time, and redemption is
    at most the nominal value the holder paid, so a new value is a new class.
    """
    if not name.strip():
        raise MemberRefused("A share class needs a name.")
    if ShareClass.objects.filter(name__iexact=name.strip()).exclude(pk=share_class.pk).exists():
        raise MemberRefused(f"A share class named {name!r} exists already.")
    if nominal_value <= 0:
        raise MemberRefused("Nominal value must be positive.")
    if max_per_member is not None and max_per_member < min_per_member:
        raise MemberRefused("The maximum holding cannot be below the minimum.")
    revalued = (nominal_value, currency) != (share_class.nominal_value, share_class.currency)
    if revalued and share_class.entries.exists():
        raise MemberRefused("Shares of this class are in the register: its value stays; create a new class instead.")
    return ShareClassChangeDraft(
        share_class, name.strip(), nominal_value, currency, carries_vote, transferable, min_per_member, max_per_member
    )


def do_change_share_class(draft: ShareClassChangeDraft) -> ShareClass:
    """Store a share class's new terms."""
    fields = ["name", "nominal_value", "currency", "carries_vote", "transferable", "min_per_member", "max_per_member"]
    with transaction.atomic():
        share_class = ShareClass.objects.select_for_update().get(pk=draft.share_class.pk)
        for field in fields:
            setattr(share_class, field, getattr(draft, field))
        share_class.save(update_fields=fields)
    return share_class
