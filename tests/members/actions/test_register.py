"""Operations on the share register: each is an appended, chained entry; refusals append nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.register import (
    check_confirm_payment,
    check_correct_entry,
    check_issue_shares,
    check_redeem_shares,
    check_request_subscription,
    check_transfer_shares,
    do_confirm_payment,
    do_correct_entry,
    do_issue_shares,
    do_record_paid_subscription,
    do_redeem_shares,
    do_request_subscription,
    do_transfer_shares,
)
from members.chain import verify_chain
from members.errors import MemberRefused, NotPermitted
from members.holdings import holdings_of
from members.models import Membership, MembershipEvent, MembershipStatus, RegisterEntry, ShareClass, User
from tests.factories.members import make_member

DECISION = "Decision #12"


def entry_count() -> int:
    return RegisterEntry.objects.count()


@pytest.mark.django_db
def test_subscription_payment_and_issue_chain_together(
    applicant: User, officer: User, treasurer: User, member_share: ShareClass
) -> None:
    request = do_request_subscription(check_request_subscription(applicant, member_share, 1))
    assert holdings_of(applicant.pk) == {}
    check_confirm_payment(request, approved_by=treasurer)
    payment = do_confirm_payment(request, approved_by=treasurer)
    issue = do_issue_shares(check_issue_shares(request, approved_by=officer))
    assert holdings_of(applicant.pk) == {member_share.pk: 1}
    assert (payment.request, issue.request) == (request, request)
    assert issue.price_per_share == member_share.nominal_value
    assert issue.previous_hash == payment.entry_hash
    assert verify_chain(RegisterEntry.objects.order_by("sequence")) == []
    # The bylaws ask for an officer's approval, so paying does not admit by itself.
    assert Membership.objects.get(user=applicant).status == MembershipStatus.APPLICANT


@pytest.mark.django_db
def test_admission_on_payment_when_the_bylaws_do_not_ask_for_approval(
    applicant: User, officer: User, member_share: ShareClass
) -> None:
    do_adopt_bylaws_version({"admission_requires_approval": False}, authorised_by=DECISION)
    do_record_paid_subscription(applicant, member_share, 1, approved_by=officer)
    assert Membership.objects.get(user=applicant).status == MembershipStatus.MEMBER


@pytest.mark.django_db
def test_issue_refused_before_payment_and_twice(
    applicant: User, officer: User, treasurer: User, member_share: ShareClass
) -> None:
    request = do_request_subscription(check_request_subscription(applicant, member_share, 1))
    with pytest.raises(MemberRefused, match="has not been confirmed"):
        check_issue_shares(request, approved_by=officer)
    do_confirm_payment(request, approved_by=treasurer)
    with pytest.raises(MemberRefused, match="confirmed already"):
        check_confirm_payment(request, approved_by=treasurer)
    do_issue_shares(check_issue_shares(request, approved_by=officer))
    before = entry_count()
    with pytest.raises(MemberRefused, match="issued already"):
        check_issue_shares(request, approved_by=officer)
    assert entry_count() == before


@pytest.mark.django_db
def test_approvals_need_the_right_role(applicant: User, member: User, member_share: ShareClass) -> None:
    request = do_request_subscription(check_request_subscription(applicant, member_share, 1))
    with pytest.raises(NotPermitted, match="treasurer"):
        check_confirm_payment(request, approved_by=member)
    with pytest.raises(MemberRefused, match="must name who approved"):
        check_confirm_payment(request, approved_by=None, authorised_by="")


@pytest.mark.django_db
def test_holding_limits_are_checked(member: User, investor_share: ShareClass, member_share: ShareClass) -> None:
    before = entry_count()
    with pytest.raises(MemberRefused, match="exceed the maximum of 1"):
        check_request_subscription(member, member_share, 1)
    with pytest.raises(MemberRefused, match="at least 1"):
        check_request_subscription(member, investor_share, 0)
    with pytest.raises(MemberRefused, match="exceed the maximum of 20"):
        check_request_subscription(member, investor_share, 21)
    assert entry_count() == before


@pytest.mark.django_db
def test_transfer_moves_shares_and_checks_both_sides(
    member: User, treasurer: User, investor_share: ShareClass, member_share: ShareClass
) -> None:
    other = make_member(username="otto")
    do_record_paid_subscription(member, investor_share, 5, approved_by=None, authorised_by=DECISION)
    do_transfer_shares(check_transfer_shares(member, other, investor_share, 2, approved_by=treasurer))
    assert holdings_of(member.pk)[investor_share.pk] == 3
    assert holdings_of(other.pk)[investor_share.pk] == 2
    before = entry_count()
    with pytest.raises(MemberRefused, match="negative holding"):
        check_transfer_shares(member, other, investor_share, 4, approved_by=treasurer)
    with pytest.raises(MemberRefused, match="not transferable"):
        check_transfer_shares(member, other, member_share, 1, approved_by=treasurer)
    with pytest.raises(MemberRefused, match="own holder"):
        check_transfer_shares(member, member, investor_share, 1, approved_by=treasurer)
    do_redeem_shares(check_redeem_shares(other, investor_share, 2, approved_by=treasurer))
    do_redeem_shares(check_redeem_shares(other, member_share, 1, approved_by=treasurer))
    assert Membership.objects.get(user=other).status == MembershipStatus.RESIGNED
    with pytest.raises(MemberRefused, match="cannot receive shares"):
        check_transfer_shares(member, other, investor_share, 1, approved_by=treasurer)
    assert entry_count() == before + 2


@pytest.mark.django_db
def test_redemption_at_most_nominal_with_payout_date(member: User, treasurer: User, member_share: ShareClass) -> None:
    with pytest.raises(MemberRefused, match="at most at their nominal value"):
        check_redeem_shares(member, member_share, 1, approved_by=treasurer, price_per_share=Decimal("10.01"))
    entry = do_redeem_shares(
        check_redeem_shares(member, member_share, 1, approved_by=treasurer, price_per_share=Decimal("8.00"))
    )
    assert entry.amount == Decimal("8.00")
    assert entry.payout_due == entry.effective_date + timedelta(days=365)
    # Holdings reaching zero end the membership (cooperative invariant 2).
    assert Membership.objects.get(user=member).status == MembershipStatus.RESIGNED
    last = MembershipEvent.objects.filter(user=member).last()
    assert last is not None
    assert last.reason == "Holdings reached zero."


@pytest.mark.django_db
def test_correction_reverses_once_and_never_edits(member: User, treasurer: User, investor_share: ShareClass) -> None:
    issue = do_record_paid_subscription(member, investor_share, 4, approved_by=None, authorised_by=DECISION)
    original_hash = issue.entry_hash
    correction = do_correct_entry(check_correct_entry(issue, reason="Entered twice", approved_by=treasurer))
    assert (correction.from_user, correction.to_user, correction.reverses) == (member, None, issue)
    assert investor_share.pk not in holdings_of(member.pk)
    issue.refresh_from_db()
    assert issue.entry_hash == original_hash
    before = entry_count()
    with pytest.raises(MemberRefused, match="reversed already"):
        check_correct_entry(issue, reason="again", approved_by=treasurer)
    with pytest.raises(MemberRefused, match="cannot be corrected"):
        check_correct_entry(correction, reason="undo", approved_by=treasurer)
    member_issue = RegisterEntry.objects.get(
        kind=RegisterEntry.Kind.ISSUE, to_user=member, share_class__carries_vote=True
    )
    with pytest.raises(MemberRefused, match="needs a reason"):
        check_correct_entry(member_issue, reason=" ", approved_by=treasurer)
    with pytest.raises(NotPermitted, match="treasurer"):
        check_correct_entry(member_issue, reason="wrong", approved_by=member)
    assert entry_count() == before


@pytest.mark.django_db
def test_correction_cannot_leave_a_negative_holding(member: User, treasurer: User, investor_share: ShareClass) -> None:
    other = make_member(username="otto")
    issue = do_record_paid_subscription(member, investor_share, 3, approved_by=None, authorised_by=DECISION)
    do_transfer_shares(check_transfer_shares(member, other, investor_share, 3, approved_by=treasurer))
    with pytest.raises(MemberRefused, match="negative holding"):
        check_correct_entry(issue, reason="wrong", approved_by=treasurer)


@pytest.mark.django_db
def test_backdated_entry_cannot_make_a_past_holding_negative(
    member: User, treasurer: User, investor_share: ShareClass
) -> None:
    today = timezone.localdate()
    do_record_paid_subscription(member, investor_share, 2, approved_by=None, authorised_by=DECISION)
    other = make_member(username="otto")
    with pytest.raises(MemberRefused, match="negative holding"):
        check_transfer_shares(
            member, other, investor_share, 1, approved_by=treasurer, effective_date=today - timedelta(days=3)
        )
