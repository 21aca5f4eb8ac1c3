"""Write how applicants and members pay share capital and dues (treasurers and admins).

The text is plain: pages show it escaped, with its line breaks kept and its
web addresses made links, so whatever a treasurer types never becomes markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from members.errors import MemberRefused, NotPermitted
from members.models import PaymentInstructions, Role, User
from members.selectors import user_has_role

# Room for bank details, a reference to quote and a link or two, short enough to read on a phone.
PAYMENT_INSTRUCTIONS_MAX = 2000


@dataclass(frozen=True)
class PaymentInstructionsDraft:
    """Checked instructions and who wrote them."""

    text: str
    changed_by: User


def may_change_payment_instructions(user: User) -> bool:
    """Return whether the user handles payments, and so may write how to make them."""
    return user_has_role(user, Role.TREASURER) or user_has_role(user, Role.ADMIN)


def check_change_payment_instructions(user: User, text: str) -> PaymentInstructionsDraft:
    """Refuse anyone but a treasurer or an admin, and instructions too long to store or read."""
    if not may_change_payment_instructions(user):
        raise NotPermitted("Only a treasurer or an admin may change the payment instructions.")
    # Browsers send a typed line break as two characters; count it as the one the person typed.
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:
        raise MemberRefused("Payment instructions cannot contain null characters.")
    if len(text) > PAYMENT_INSTRUCTIONS_MAX:
        raise MemberRefused(
            f"Payment instructions are at most {PAYMENT_INSTRUCTIONS_MAX:,} characters; these have {len(text):,}."
        )
    return PaymentInstructionsDraft(text=text, changed_by=user)


def do_change_payment_instructions(draft: PaymentInstructionsDraft) -> PaymentInstructions:
    """Store the instructions; empty ones bring back the default (the treasurer sends the details)."""
    with transaction.atomic():
        row, _ = PaymentInstructions.objects.select_for_update().get_or_create(pk=1)
        row.text = draft.text
        row.updated_by = draft.changed_by
        row.updated_at = timezone.now()
        row.save(update_fields=["text", "updated_by", "updated_at"])
    return row
