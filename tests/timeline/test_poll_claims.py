"""A poll another app claims takes its votes through that app and shows what it says; others stay ordinary."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from federation.models import Actor
from tests.factories.timeline import PollFactory, StatusFactory
from timeline import poll_claims
from timeline.actions.polls import check_cast_vote, check_vote, do_cast_vote
from timeline.entities.statuses import status_entities
from timeline.errors import InteractionRefused
from timeline.models import Poll, PollVote
from timeline.poll_claims import ClaimedPollView, PollClaim, claimed_poll_views, register_poll_claimer

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_registered_here() -> Iterator[list[tuple[Actor, list[int]]]]:
    """Replace the apps' claimers for one test by one claiming every poll; yield the votes it recorded."""
    saved = list(poll_claims._claimers)
    poll_claims._claimers.clear()
    recorded: list[tuple[Actor, list[int]]] = []

    def check(voter: Actor, choices: list[int]) -> Callable[[], object]:
        return lambda: recorded.append((voter, choices))

    def claim_all(poll_ids: list[int]) -> dict[int, PollClaim]:
        view = ClaimedPollView(counts=None, voters=len(recorded), own_choices=[0])
        return {
            poll_id: PollClaim(refusal="Vote elsewhere.", check_vote=check, view_for=lambda _viewer: view)
            for poll_id in poll_ids
        }

    register_poll_claimer(claim_all)
    yield recorded
    poll_claims._claimers[:] = saved


def _poll(author: Actor) -> Poll:
    poll: Poll = PollFactory.create(status=StatusFactory.create(account=author), options=["a", "b"], votes=[0, 0])
    return poll


def test_a_claimed_poll_hands_the_vote_to_its_claimer_and_shows_its_view(
    alice: Actor, bob: Actor, only_registered_here: list[tuple[Actor, list[int]]]
) -> None:
    poll = _poll(alice)
    do_cast_vote(check_cast_vote(bob, poll, [1]))
    assert only_registered_here == [(bob, [1])]
    assert not PollVote.objects.exists()
    with pytest.raises(InteractionRefused, match="Vote elsewhere"):
        check_vote(bob, poll.status, [1])
    entity = status_entities([poll.status], bob)[0]["poll"]
    assert [option["votes_count"] for option in entity["options"]] == [None, None]
    assert entity["own_votes"] == [0]


def test_an_unclaimed_poll_counts_its_own_votes(alice: Actor, bob: Actor) -> None:
    poll = _poll(alice)
    assert claimed_poll_views([poll.pk], bob) == {}
    do_cast_vote(check_cast_vote(bob, poll, [1]))
    poll.refresh_from_db()
    assert poll.votes == [0, 1]
