"""Voting on a proposal through its Mastodon poll records a ballot, or answers a clear 422."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from federation.models import Actor
from governance.actions.proposal_polls import do_post_proposal_poll
from governance.models import Ballot, Participation, Proposal
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import close, open_proposal
from tests.factories.timeline import PollFactory, StatusFactory
from timeline.actions.polls import check_vote
from timeline.errors import InteractionRefused
from timeline.models import Poll, PollVote

pytestmark = pytest.mark.django_db


def proposal_poll(author: Actor, **fields: Any) -> tuple[Proposal, Poll]:
    """Open a proposal and post its poll, as the worker does after the opening commits."""
    assert author.user is not None
    proposal = open_proposal(author.user, **fields)
    link = do_post_proposal_poll(proposal.pk)
    assert link is not None
    return proposal, link.poll


def vote(actor: Actor, poll: Poll, *choices: int) -> Any:
    return Client().post(
        f"/api/v1/polls/{poll.pk}/votes", {"choices[]": [str(c) for c in choices]}, headers=bearer_for(actor)
    )


def assert_nothing_recorded(poll: Poll) -> None:
    assert not Ballot.objects.exists()
    assert not Participation.objects.exists()
    assert not PollVote.objects.exists()
    poll.refresh_from_db()
    assert poll.votes == [0] * len(poll.options)
    assert poll.voters_count == 0


def test_elector_vote_is_a_ballot_and_never_a_poll_vote(alice: Actor, bob: Actor) -> None:
    proposal, poll = proposal_poll(alice)
    response = vote(bob, poll, 2)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["voted"] is True
    assert body["own_votes"] == [2]
    assert [option["votes_count"] for option in body["options"]] == [0, 0, 1, 0]
    assert body["votes_count"] == 1
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.choice == 2
    assert ballot.voter == bob.user
    assert not PollVote.objects.exists()
    poll.refresh_from_db()
    assert poll.votes == [0, 0, 0, 0]
    assert vote(bob, poll, 0).json()["own_votes"] == [0]
    assert Ballot.objects.get(proposal=proposal).choice == 0


def test_secret_ballot_with_hidden_results_shows_no_counts_until_close(alice: Actor, bob: Actor) -> None:
    proposal, poll = proposal_poll(alice, secret=True, hide_results=True)
    body = vote(bob, poll, 0).json()
    assert [option["votes_count"] for option in body["options"]] == [None, None, None, None]
    assert body["own_votes"] == [0]
    assert Ballot.objects.get(proposal=proposal).voter is None
    for viewer in (alice, bob):
        detail = Client().get(f"/api/v1/polls/{poll.pk}", headers=bearer_for(viewer)).json()
        assert [option["votes_count"] for option in detail["options"]] == [None, None, None, None]
        status = Client().get(f"/api/v1/statuses/{poll.status_id}", headers=bearer_for(viewer)).json()
        assert [option["votes_count"] for option in status["poll"]["options"]] == [None, None, None, None]
    assert Client().get(f"/api/v1/polls/{poll.pk}", headers=bearer_for(alice)).json()["own_votes"] == []
    close(proposal)
    detail = Client().get(f"/api/v1/polls/{poll.pk}", headers=bearer_for(alice)).json()
    assert [option["votes_count"] for option in detail["options"]] == [1, 0, 0, 0]


def test_approval_poll_takes_several_choices(alice: Actor, bob: Actor) -> None:
    proposal, poll = proposal_poll(alice, method="approval", options=["Tuesday", "Thursday", "Saturday"])
    body = vote(bob, poll, 2, 0).json()
    assert body["multiple"] is True
    assert body["own_votes"] == [0, 2]
    assert Ballot.objects.get(proposal=proposal).choice == [0, 2]


def test_status_is_local_only_and_hidden_from_anonymous_and_remote_readers(alice: Actor) -> None:
    _, poll = proposal_poll(alice)
    status = Client().get(f"/api/v1/statuses/{poll.status_id}", headers=bearer_for(alice)).json()
    assert status["visibility"] == "unlisted"
    assert status["local_only"] is True
    assert Client().get(f"/api/v1/polls/{poll.pk}").status_code == 404
    assert Client().get(f"/api/v1/statuses/{poll.status_id}").status_code == 404
    assert check_vote_refusal(RemoteActorFactory.create(), poll) == "This poll does not exist or is not visible to you."


def check_vote_refusal(actor: Actor, poll: Poll) -> str:
    with pytest.raises(InteractionRefused) as refused:
        check_vote(actor, poll.status, [0])
    return str(refused.value)


def test_ordinary_poll_votes_cannot_reach_a_proposal(alice: Actor, bob: Actor) -> None:
    _, poll = proposal_poll(alice)
    assert "vote through the assembly" in check_vote_refusal(bob, poll)
    assert_nothing_recorded(poll)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("non_member", "not in this proposal's electorate"),
        ("applicant", "not in this proposal's electorate"),
        ("latecomer", "not in this proposal's electorate"),
        ("closed", "This proposal is closed"),
        ("two_choices", "Choose exactly one option."),
        ("no_choice", "Choose exactly one option."),
    ],
)
def test_refused_vote_is_a_clear_422_and_stores_nothing(alice: Actor, bob: Actor, who: str, message: str) -> None:
    non_member = LocalActorFactory.create(membership="none")
    applicant = LocalActorFactory.create(membership="applicant")
    proposal, poll = proposal_poll(alice)
    voters = {
        "non_member": (non_member, [0]),
        "applicant": (applicant, [0]),
        "latecomer": (LocalActorFactory.create(), [0]),
        "closed": (bob, [0]),
        "two_choices": (bob, [0, 1]),
        "no_choice": (bob, []),
    }
    if who == "closed":
        close(proposal)
    voter, choices = voters[who]
    response = vote(voter, poll, *choices)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert set(response.json()) == {"error"}
    assert_nothing_recorded(poll)


def test_ordinary_polls_still_count_their_own_votes(alice: Actor, bob: Actor) -> None:
    poll = PollFactory.create(status=StatusFactory.create(account=alice), options=["a", "b"], votes=[0, 0])
    body = vote(bob, poll, 1).json()
    assert [option["votes_count"] for option in body["options"]] == [0, 1]
    assert PollVote.objects.filter(poll=poll, account=bob).exists()
