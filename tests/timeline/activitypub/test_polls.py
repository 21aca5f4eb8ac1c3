"""Remote votes in local polls, which arrive as Creates of Notes named after an option."""

from __future__ import annotations

from typing import Any

import pytest

from federation.inbox import IgnoredActivity, dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Poll, PollVote, Status


def vote(voter: Actor, status: Status, option: str, number: int) -> dict[str, Any]:
    note_id = f"{voter.uri}#votes/{number}"
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": voter.uri,
        "to": [status.account.uri],
        "object": {
            "id": note_id,
            "type": "Note",
            "name": option,
            "attributedTo": voter.uri,
            "to": [status.account.uri],
            "inReplyTo": status.uri,
        },
    }


def poll_of(alice: Actor, *, multiple: bool) -> Status:
    return do_create_status(
        alice, check_create_status(alice, text="tea?", poll_options=["yes", "no"], poll_multiple=multiple)
    )


@pytest.mark.django_db
def test_each_remote_voter_counts_once_however_many_options_they_choose(alice: Actor) -> None:
    status = poll_of(alice, multiple=True)
    dana = RemoteActorFactory.create(username="dana")
    erin = RemoteActorFactory.create(username="erin", domain="gts.example")
    dispatch(dana, read_activity(vote(dana, status, "yes", 1)))
    dispatch(dana, read_activity(vote(dana, status, "no", 2)))
    dispatch(erin, read_activity(vote(erin, status, "yes", 1)))
    poll = Poll.objects.get()
    assert (poll.votes, poll.voters_count) == ([2, 1], 2)
    assert PollVote.objects.count() == 3


@pytest.mark.django_db
def test_a_redelivered_vote_is_counted_once(alice: Actor) -> None:
    status = poll_of(alice, multiple=False)
    dana = RemoteActorFactory.create(username="dana")
    dispatch(dana, read_activity(vote(dana, status, "no", 1)))
    dispatch(dana, read_activity(vote(dana, status, "no", 1)))
    poll = Poll.objects.get()
    assert (poll.votes, poll.voters_count) == ([0, 1], 1)


@pytest.mark.django_db
def test_a_second_vote_in_a_single_choice_poll_and_an_unknown_option_are_ignored(alice: Actor) -> None:
    status = poll_of(alice, multiple=False)
    dana = RemoteActorFactory.create(username="dana")
    dispatch(dana, read_activity(vote(dana, status, "yes", 1)))
    with pytest.raises(IgnoredActivity, match="already voted"):
        dispatch(dana, read_activity(vote(dana, status, "no", 2)))
    with pytest.raises(IgnoredActivity, match="not an option"):
        dispatch(dana, read_activity(vote(dana, status, "maybe", 3)))
    poll = Poll.objects.get()
    assert (poll.votes, poll.voters_count) == ([1, 0], 1)
