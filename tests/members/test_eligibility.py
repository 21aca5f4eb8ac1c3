"""Who may vote on a decision opened at a moment: one vote per member in good standing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.lifecycle import check_suspend_member, do_resign_member, do_suspend_member
from members.actions.register import check_redeem_shares, do_record_paid_subscription, do_redeem_shares
from members.eligibility import eligible_voter_ids, is_eligible_voter
from members.models import ShareClass
from tests.factories.members import ShareClassFactory, UserFactory, make_member, make_membership
from tests.members.test_standing import months_ago

DECISION = "Decision #20"


@pytest.mark.django_db
def test_members_in_good_standing_vote_once_each(member_share: ShareClass) -> None:
    supporter = ShareClassFactory.create(name="Supporter share", max_per_member=50)
    first, second = make_member(), make_member()
    do_record_paid_subscription(second, supporter, 40, approved_by=None, authorised_by=DECISION)
    now = timezone.now()
    assert eligible_voter_ids(now) == sorted([first.pk, second.pk])
    assert is_eligible_voter(second.pk, now)


@pytest.mark.django_db
def test_the_electorate_excludes_those_who_may_not_vote(member_share: ShareClass, investor_share: ShareClass) -> None:
    voter = make_member()
    applicant = UserFactory.create()
    make_membership(applicant, "applicant")
    do_record_paid_subscription(applicant, member_share, 1, approved_by=None, authorised_by=DECISION)
    suspended = make_member()
    do_suspend_member(check_suspend_member(suspended, reason="Rule 1", authorised_by=DECISION))
    in_arrears = make_member(at=months_ago(6))
    # A member holding only non-voting shares has no vote.
    investor_only = make_member()
    do_record_paid_subscription(investor_only, investor_share, 2, approved_by=None, authorised_by=DECISION)
    do_redeem_shares(check_redeem_shares(investor_only, member_share, 1, approved_by=None, authorised_by=DECISION))
    now = timezone.now()
    electorate = eligible_voter_ids(now)
    assert electorate == [voter.pk]
    for user in (applicant, suspended, in_arrears, investor_only):
        assert not is_eligible_voter(user.pk, now)


@pytest.mark.django_db
def test_the_electorate_is_frozen_at_the_opening(member_share: ShareClass) -> None:
    early = make_member()
    opened = timezone.now()
    late = make_member()
    do_resign_member(early, reason="Leaving after the vote opened")
    assert eligible_voter_ids(opened) == [early.pk]
    assert eligible_voter_ids(timezone.now()) == [late.pk]
    assert eligible_voter_ids(opened - timedelta(days=1)) == []


@pytest.mark.django_db
def test_the_bylaws_minimum_of_voting_shares_applies(member_share: ShareClass) -> None:
    supporter = ShareClassFactory.create(name="Supporter share", max_per_member=5)
    holder_of_two, holder_of_one = make_member(), make_member()
    do_record_paid_subscription(holder_of_two, supporter, 2, approved_by=None, authorised_by=DECISION)
    do_adopt_bylaws_version({"minimum_voting_shares": 2}, authorised_by=DECISION)
    now = timezone.now()
    assert eligible_voter_ids(now) == [holder_of_two.pk]
    assert not is_eligible_voter(holder_of_one.pk, now)


@pytest.mark.django_db
def test_no_members_no_electorate() -> None:
    assert eligible_voter_ids(timezone.now()) == []
