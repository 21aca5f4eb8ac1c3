"""Payment instructions: written by a treasurer or an admin, plain text within a limit."""

from __future__ import annotations

import pytest

from members.actions.payment_instructions import (
    PAYMENT_INSTRUCTIONS_MAX,
    check_change_payment_instructions,
    do_change_payment_instructions,
)
from members.actions.roles import do_grant_role
from members.errors import MemberRefused, NotPermitted
from members.models import PaymentInstructions, Role, User
from members.selectors import payment_instructions
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

BANK = "IBAN: XX00 0000 0000\r\nReference: your username"


def test_a_treasurer_writes_them_with_line_breaks_kept_as_typed(treasurer: User) -> None:
    row = do_change_payment_instructions(check_change_payment_instructions(treasurer, f"  {BANK}\r\n\r\n"))
    assert payment_instructions() == "IBAN: XX00 0000 0000\nReference: your username"
    assert (row.pk, row.updated_by) == (1, treasurer)
    assert row.updated_at is not None


def test_an_admin_writes_them_and_empty_ones_bring_back_the_default(treasurer: User) -> None:
    admin = make_member(username="root")
    do_grant_role(admin, Role.ADMIN, authorised_by="Founding meeting")
    do_change_payment_instructions(check_change_payment_instructions(treasurer, BANK))
    do_change_payment_instructions(check_change_payment_instructions(admin, "  \r\n"))
    assert payment_instructions() == ""
    assert PaymentInstructions.objects.get().updated_by == admin


def test_the_limit_counts_a_typed_line_break_once(treasurer: User) -> None:
    # 1,000 lines typed in a browser arrive as 3,000 characters with their CR LF breaks.
    text = "x\r\n" * (PAYMENT_INSTRUCTIONS_MAX // 2)
    draft = check_change_payment_instructions(treasurer, text)
    assert len(draft.text) == PAYMENT_INSTRUCTIONS_MAX - 1


@pytest.mark.parametrize("who", ["member", "officer"])
def test_anyone_who_does_not_handle_payments_is_refused_and_nothing_changes(
    who: str, treasurer: User, request: pytest.FixtureRequest
) -> None:
    do_change_payment_instructions(check_change_payment_instructions(treasurer, BANK))
    user: User = request.getfixturevalue(who)
    with pytest.raises(NotPermitted, match="Only a treasurer or an admin"):
        check_change_payment_instructions(user, "Pay me instead: https://evil.example")
    row = PaymentInstructions.objects.get()
    assert (row.text, row.updated_by) == (BANK.replace("\r\n", "\n"), treasurer)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (PAYMENT_INSTRUCTIONS_MAX + 1), "at most 2,000 characters; these have 2,001"),
        ("IBAN\x00", "null characters"),
    ],
)
def test_text_too_long_or_unstorable_is_refused_and_nothing_changes(treasurer: User, text: str, message: str) -> None:
    do_change_payment_instructions(check_change_payment_instructions(treasurer, "Cash at the meeting."))
    with pytest.raises(MemberRefused, match=message):
        check_change_payment_instructions(treasurer, text)
    assert payment_instructions() == "Cash at the meeting."
