"""Open proposals are put to the members as local-only polls that never leave the server."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest

from federation.actions.instance_actor import instance_actor
from federation.models import OutboundActivity
from governance.actions.proposal_polls import do_post_proposal_poll, proposals_missing_polls
from governance.models import ProposalPoll
from governance.tasks import requeue_missing_proposal_polls
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import close, open_proposal
from tests.factories.members import make_member
from tests.factories.timeline import FollowFactory
from timeline.models import Poll, Status, TimelineEntry, Visibility

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

pytestmark = pytest.mark.django_db


def test_opening_posts_a_local_only_poll_from_the_instance_account(
    django_capture_on_commit_callbacks: CaptureHooks,
) -> None:
    member = LocalActorFactory.create()
    assert member.user is not None
    FollowFactory.create(follower=RemoteActorFactory.create(), target=instance_actor())
    with django_capture_on_commit_callbacks(execute=True):
        proposal = open_proposal(member.user, title="Buy a bigger server", secret=True)
    link = ProposalPoll.objects.select_related("poll__status").get(proposal=proposal)
    status = link.poll.status
    assert status.account == instance_actor()
    assert status.visibility == Visibility.LOCAL
    assert f"Proposal #{proposal.pk}: Buy a bigger server" in status.text
    assert "Ballots are secret." in status.text
    assert link.poll.options == ["agree", "abstain", "disagree", "block"]
    assert not link.poll.multiple
    assert link.poll.expires_at == proposal.closes_at
    assert TimelineEntry.objects.filter(owner=member, status=status).exists()
    # The instance actor's followers receive the public log entry of the opening, never the local-only poll.
    sent = [activity.body for activity in OutboundActivity.objects.all()]
    assert [body["object"]["mutualsLogEntry"]["kind"] for body in sent] == ["proposal.opened"]
    assert status.uri not in json.dumps(sent)


def test_approval_proposal_gets_a_multiple_choice_poll() -> None:
    proposal = open_proposal(make_member(), method="approval", options=["Tuesday", "Thursday", "Saturday"])
    link = do_post_proposal_poll(proposal.pk)
    assert link is not None
    assert link.poll.multiple
    assert link.poll.options == ["Tuesday", "Thursday", "Saturday"]


def test_posting_twice_keeps_one_poll() -> None:
    proposal = open_proposal(make_member())
    first = do_post_proposal_poll(proposal.pk)
    assert do_post_proposal_poll(proposal.pk) == first
    assert Poll.objects.count() == 1
    assert Status.objects.count() == 1


@pytest.mark.parametrize("method", ["ranked_choice", "score"])
def test_methods_no_poll_can_express_get_no_poll(method: str) -> None:
    proposal = open_proposal(make_member(), method=method, options=["A", "B"])
    assert do_post_proposal_poll(proposal.pk) is None
    assert not Status.objects.exists()
    assert not proposals_missing_polls(timedelta(0)).exists()


def test_closed_proposal_gets_no_poll() -> None:
    proposal = close(open_proposal(make_member()))
    assert do_post_proposal_poll(proposal.pk) is None
    assert not Status.objects.exists()


def test_recovery_posts_polls_that_were_never_posted() -> None:
    proposal = open_proposal(make_member())
    assert list(proposals_missing_polls(timedelta(0))) == [proposal]
    assert requeue_missing_proposal_polls(min_age_seconds=3600) == 0
    assert requeue_missing_proposal_polls(min_age_seconds=0) == 1
    assert ProposalPoll.objects.filter(proposal=proposal).exists()
    assert requeue_missing_proposal_polls(min_age_seconds=0) == 0
