"""Votes in polls: remote voters counted in local polls."""

from __future__ import annotations

import pytest

from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from timeline.actions.polls import do_record_remote_vote
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.errors import InteractionRefused
from timeline.models import Poll


@pytest.mark.django_db
def test_a_remote_voter_is_counted_at_their_first_option_only(alice: Actor) -> None:
    status = do_create_status(
        alice, check_create_status(alice, text="tea?", poll_options=["yes", "no"], poll_multiple=True)
    )
    poll = Poll.objects.get(status=status)
    dana = RemoteActorFactory.create(username="dana")
    assert do_record_remote_vote(dana, poll, 0, uri=f"{dana.uri}#votes/1")
    assert do_record_remote_vote(dana, poll, 1, uri=f"{dana.uri}#votes/2")
    assert not do_record_remote_vote(dana, poll, 1, uri=f"{dana.uri}#votes/2")
    poll.refresh_from_db()
    assert (poll.votes, poll.voters_count) == ([1, 1], 1)
    with pytest.raises(InteractionRefused, match="already counted"):
        do_record_remote_vote(dana, poll, 1, uri=f"{dana.uri}#votes/3")
    with pytest.raises(InteractionRefused, match="one of the poll's options"):
        do_record_remote_vote(dana, poll, 2, uri=f"{dana.uri}#votes/4")
    poll.refresh_from_db()
    assert (poll.votes, poll.voters_count) == ([1, 1], 1)
