"""The membership lifecycle: each allowed transition and each refusal, which changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from members.actions.lifecycle import (
    check_admit_applicant,
    check_apply_for_membership,
    check_delete_membership,
    check_expel_member,
    check_reinstate_member,
    check_resign_member,
    check_suspend_member,
    do_admit_applicant,
    do_apply_for_membership,
    do_delete_membership,
    do_expel_member,
    do_reinstate_member,
    do_resign_member,
    do_suspend_member,
)
from members.actions.register import check_redeem_shares, do_record_paid_subscription, do_redeem_shares
from members.errors import MemberRefused, NotPermitted
from members.models import Invitation, Membership, MembershipEvent, MembershipStatus, ShareClass, User
from members.selectors import membership_history
from tests.factories.members import UserFactory, make_membership

DECISION = "Decision #7"


def status_of(user: User) -> str:
    return Membership.objects.get(user=user).status


def history_size(user: User) -> int:
    return MembershipEvent.objects.filter(user=user).count()


@pytest.mark.django_db
def test_applicant_is_admitted_by_an_officer_once_the_minimum_is_paid(
    applicant: User, officer: User, member_share: ShareClass
) -> None:
    do_record_paid_subscription(applicant, member_share, 1, approved_by=officer)
    assert status_of(applicant) == MembershipStatus.APPLICANT
    check_admit_applicant(applicant, actor_user=officer, authorised_by="")
    do_admit_applicant(applicant, actor_user=officer, authorised_by="")
    membership = Membership.objects.get(user=applicant)
    assert membership.status == MembershipStatus.MEMBER
    assert membership.admitted_at is not None
    last = membership_history(applicant).last()
    assert last is not None
    assert (last.kind, last.from_status, last.to_status, last.actor_user) == (
        "admitted",
        "applicant",
        "member",
        officer,
    )


@pytest.mark.django_db
def test_admission_without_paid_shares_is_refused(applicant: User, officer: User) -> None:
    before = history_size(applicant)
    with pytest.raises(MemberRefused, match="minimum of 1 voting share"):
        check_admit_applicant(applicant, actor_user=officer, authorised_by="")
    assert status_of(applicant) == MembershipStatus.APPLICANT
    assert history_size(applicant) == before


@pytest.mark.django_db
def test_admission_by_someone_without_the_role_is_refused(
    applicant: User, member: User, member_share: ShareClass
) -> None:
    do_record_paid_subscription(applicant, member_share, 1, approved_by=None, authorised_by=DECISION)
    with pytest.raises(NotPermitted, match="membership officer"):
        check_admit_applicant(applicant, actor_user=member, authorised_by="")
    with pytest.raises(MemberRefused, match="must name the person or the decision"):
        check_admit_applicant(applicant, actor_user=None, authorised_by=" ")
    assert status_of(applicant) == MembershipStatus.APPLICANT


@pytest.mark.django_db
def test_a_decision_can_admit(applicant: User, member_share: ShareClass) -> None:
    do_record_paid_subscription(applicant, member_share, 1, approved_by=None, authorised_by=DECISION)
    check_admit_applicant(applicant, actor_user=None, authorised_by=DECISION)
    event = do_admit_applicant(applicant, actor_user=None, authorised_by=DECISION)
    assert event.authorised_by == DECISION
    assert status_of(applicant) == MembershipStatus.MEMBER


@pytest.mark.django_db
def test_members_cannot_be_admitted_twice(member: User, officer: User) -> None:
    with pytest.raises(MemberRefused, match="they are member, not applicant"):
        check_admit_applicant(member, actor_user=officer, authorised_by="")


@pytest.mark.django_db
def test_suspension_and_reinstatement(member: User) -> None:
    do_suspend_member(check_suspend_member(member, reason="Rule 1", authorised_by=DECISION))
    assert status_of(member) == MembershipStatus.SUSPENDED
    do_reinstate_member(check_reinstate_member(member, reason="Appeal upheld", authorised_by=DECISION))
    assert status_of(member) == MembershipStatus.MEMBER
    kinds = list(membership_history(member).values_list("kind", "reason"))
    assert kinds[-2:] == [("suspended", "Rule 1"), ("reinstated", "Appeal upheld")]


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda user: check_suspend_member(user, reason="", authorised_by=DECISION), "reason is required"),
        (lambda user: check_suspend_member(user, reason="x", authorised_by=""), "must name the person"),
        (lambda user: check_reinstate_member(user, reason="x", authorised_by=DECISION), "not suspended"),
        (lambda user: check_expel_member(user, reason="x", authorised_by=""), "Only an assembly decision"),
        (lambda user: check_expel_member(user, reason="", authorised_by=DECISION), "reason is required"),
        (lambda user: check_delete_membership(user, reason="x", authorised_by=DECISION), "not applicant or resigned"),
    ],
)
@pytest.mark.django_db
def test_refused_transitions_of_a_member_change_nothing(
    member: User, check: Callable[[User], None], message: str
) -> None:
    before = history_size(member)
    with pytest.raises(MemberRefused, match=message):
        check(member)
    assert status_of(member) == MembershipStatus.MEMBER
    assert history_size(member) == before


@pytest.mark.django_db
def test_suspension_by_a_plain_member_is_refused(member: User, member_share: ShareClass) -> None:
    other = UserFactory.create()
    make_membership(other)
    with pytest.raises(NotPermitted, match="moderator"):
        check_suspend_member(other, reason="x", authorised_by="", actor_user=member)
    assert status_of(other) == MembershipStatus.MEMBER


@pytest.mark.django_db
def test_expulsion_is_final_for_the_lifecycle(member: User, officer: User) -> None:
    check_expel_member(member, reason="Repeated harassment", authorised_by=DECISION)
    do_expel_member(member, reason="Repeated harassment", authorised_by=DECISION)
    assert status_of(member) == MembershipStatus.EXPELLED
    checks: list[Callable[[], object]] = [
        lambda: check_suspend_member(member, reason="x", authorised_by=DECISION),
        lambda: check_resign_member(member),
        lambda: check_admit_applicant(member, actor_user=officer, authorised_by=""),
    ]
    for check in checks:
        with pytest.raises(MemberRefused, match="they are expelled"):
            check()


@pytest.mark.django_db
def test_deletion_waits_until_shares_are_redeemed(member: User, treasurer: User, member_share: ShareClass) -> None:
    do_resign_member(member, reason="Moving on")
    with pytest.raises(MemberRefused, match="redeemed first"):
        check_delete_membership(member, reason="Asked to", actor_user=member)
    do_redeem_shares(check_redeem_shares(member, member_share, 1, approved_by=treasurer))
    do_delete_membership(check_delete_membership(member, reason="Asked to", actor_user=member))
    member.refresh_from_db()
    assert status_of(member) == MembershipStatus.DELETED
    assert not member.is_active


@pytest.mark.django_db
def test_suspended_members_may_resign(member: User) -> None:
    do_suspend_member(check_suspend_member(member, reason="Rule 2", authorised_by=DECISION))
    check_resign_member(member)
    do_resign_member(member, reason="Leaving")
    assert status_of(member) == MembershipStatus.RESIGNED


@pytest.mark.django_db
def test_applications_with_invitations_count_their_uses(member: User) -> None:
    invitation = Invitation.objects.create(
        code="abc", created_by=member, max_uses=1, expires_at=member.date_joined.replace(year=2999)
    )
    first, second = UserFactory.create(), UserFactory.create()
    found = check_apply_for_membership(first, application_text="Hello", invitation_code="abc")
    do_apply_for_membership(first, application_text="Hello", invitation=found)
    invitation.refresh_from_db()
    assert invitation.uses == 1
    with pytest.raises(MemberRefused, match="used up"):
        check_apply_for_membership(second, invitation_code="abc")
    with pytest.raises(MemberRefused, match="not valid"):
        check_apply_for_membership(second, invitation_code="nope")
    with pytest.raises(MemberRefused, match="applied already"):
        check_apply_for_membership(first)
    assert not Membership.objects.filter(user=second).exists()


@pytest.mark.django_db
def test_expired_invitations_are_refused(member: User) -> None:
    Invitation.objects.create(code="old", created_by=member, max_uses=5, expires_at=member.date_joined)
    applicant = UserFactory.create()
    with pytest.raises(MemberRefused, match="expired"):
        check_apply_for_membership(applicant, invitation_code="old")
    with pytest.raises(MemberRefused, match="too long"):
        check_apply_for_membership(applicant, application_text="x" * 5001)
    assert not Membership.objects.filter(user=applicant).exists()
