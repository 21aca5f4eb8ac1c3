"""Only the frozen electorate votes, once each, until close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.errors import BallotRefused
from governance.models import Ballot, Participation
from members.models.membership import MembershipStatus
from tests.factories.governance import close, open_proposal, vote
from tests.factories.members import UserFactory, make_member, make_membership

pytestmark = pytest.mark.django_db


def test_member_votes_and_gets_a_receipt() -> None:
    alice = make_member()
    proposal = open_proposal(alice)
    receipt = vote(alice, proposal, 0)
    assert not receipt.replaced
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.tracker == receipt.tracker
    assert ballot.voter == alice
    assert ballot.choice == 0


def test_second_ballot_replaces_the_first() -> None:
    alice = make_member()
    proposal = open_proposal(alice)
    first = vote(alice, proposal, 0)
    second = vote(alice, proposal, 3)
    assert second.replaced
    assert second.tracker == first.tracker
    assert list(Ballot.objects.values_list("choice", flat=True)) == [3]
    assert Participation.objects.filter(proposal=proposal).count() == 1


def test_secret_ballot_names_nobody_but_participation_is_recorded() -> None:
    alice = make_member()
    proposal = open_proposal(alice, secret=True)
    vote(alice, proposal, 0)
    vote(alice, proposal, 2)
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.voter is None
    assert ballot.choice == 2
    assert Participation.objects.filter(proposal=proposal, user=alice).exists()


@pytest.mark.parametrize("who", ["non_member", "applicant", "in_arrears", "expelled"])
def test_ineligible_people_cannot_vote(who: str) -> None:
    author = make_member()
    if who == "non_member":
        person = UserFactory.create()
    elif who == "applicant":
        person = UserFactory.create()
        make_membership(person, MembershipStatus.APPLICANT)
    elif who == "in_arrears":
        person = make_member(at=timezone.now() - timedelta(days=400))
    else:
        person = UserFactory.create()
        make_membership(person, MembershipStatus.EXPELLED)
    proposal = open_proposal(author)
    with pytest.raises(BallotRefused, match="electorate"):
        check_cast_ballot(person, proposal, 0)
    assert not Ballot.objects.exists()
    assert not Participation.objects.exists()


def test_member_who_joined_after_opening_cannot_vote() -> None:
    author = make_member()
    proposal = open_proposal(author)
    newcomer = make_member()
    assert proposal.electorate_size == 1
    with pytest.raises(BallotRefused, match="electorate"):
        check_cast_ballot(newcomer, proposal, 0)
    assert not Ballot.objects.exists()


def test_no_ballot_after_close() -> None:
    alice = make_member()
    proposal = open_proposal(alice)
    vote(alice, proposal, 0)
    close(proposal)
    proposal.refresh_from_db()
    with pytest.raises(BallotRefused, match="closed"):
        check_cast_ballot(alice, proposal, 2)
    with pytest.raises(BallotRefused, match="closed"):
        do_cast_ballot(alice, proposal.pk, 2)
    assert list(Ballot.objects.values_list("choice", flat=True)) == [0]


def test_invalid_choice_is_refused() -> None:
    alice = make_member()
    proposal = open_proposal(alice)
    with pytest.raises(BallotRefused, match="from 0 to 3"):
        check_cast_ballot(alice, proposal, 7)
    assert not Ballot.objects.exists()


def test_secret_ballot_shares_neither_its_moment_nor_its_order_with_participation() -> None:
    """A copy of the database cannot match secret ballots to voters by time or by row id."""
    voters = [make_member() for _ in range(3)]
    proposal = open_proposal(voters[0], secret=True)
    for voter in voters:
        vote(voter, proposal, 0)
    vote(voters[0], proposal, 2)
    moments = set(Participation.objects.filter(proposal=proposal).values_list("first_voted_at", flat=True))
    moments |= set(Participation.objects.filter(proposal=proposal).values_list("last_voted_at", flat=True))
    for ballot in Ballot.objects.filter(proposal=proposal):
        assert ballot.cast_at not in moments
        assert (ballot.cast_at.hour, ballot.cast_at.minute, ballot.cast_at.second) == (0, 0, 0)
        assert ballot.pk >= 2**40
    assert sorted(Ballot.objects.filter(proposal=proposal).values_list("choice", flat=True)) == [0, 0, 2]


def test_named_ballot_keeps_its_moment() -> None:
    alice = make_member()
    proposal = open_proposal(alice)
    vote(alice, proposal, 0)
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.cast_at == Participation.objects.get(proposal=proposal).last_voted_at
    assert ballot.pk < 2**40
