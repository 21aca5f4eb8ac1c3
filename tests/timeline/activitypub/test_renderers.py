"""Statuses and the timeline's other activities rendered as ActivityStreams.

The envelopes are pinned as the exact JSON text they serialise to (keys,
their order and values), captured where the actions queue them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from federation.activitypub.context import CONTEXT, PUBLIC
from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, PollFactory, StatusFactory
from timeline.actions.blocks import do_block, do_unblock
from timeline.actions.follows import do_follow, do_reject_follow_request, do_unfollow
from timeline.actions.interactions import do_favourite, do_reblog, do_unfavourite, do_unreblog
from timeline.actions.moves import do_move_account
from timeline.actions.pins import do_pin, do_unpin
from timeline.actions.polls import do_vote
from timeline.activitypub.renderers import addressing_for_status
from timeline.models import Follow, Visibility

TOKEN = "ab" * 12  # what fresh ids end in under `queued_activities`
Queued = list[dict[str, Any]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [(Visibility.UNLISTED, ["followers"], [PUBLIC]), (Visibility.PRIVATE, ["followers"], [])],
)
def test_addressing_follows_visibility(alice: Actor, visibility: Visibility, to: list[str], cc: list[str]) -> None:
    status = StatusFactory.create(account=alice, visibility=visibility)
    expected_to = [alice.followers_uri if x == "followers" else x for x in to]
    assert addressing_for_status(status) == (expected_to, cc)


def assert_sent(queued: list[dict[str, Any]], *expected: dict[str, Any]) -> None:
    """Assert the queued activities serialise to exactly the expected JSON text, key order included."""
    assert [json.dumps(activity) for activity in queued] == [json.dumps(activity) for activity in expected]


@pytest.fixture
def remote(db: None) -> Actor:
    """Return a remote account on a Mastodon server."""
    return RemoteActorFactory.create(username="carol")


@pytest.mark.django_db
def test_follow_and_its_undo(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    do_follow(alice, remote)
    do_unfollow(alice, remote)
    follow = {
        "id": f"{alice.uri}#follows/{TOKEN}",
        "type": "Follow",
        "actor": alice.uri,
        "to": [remote.uri],
        "object": remote.uri,
    }
    assert_sent(
        queued_activities,
        {"@context": CONTEXT, **follow},
        {
            "@context": CONTEXT,
            "id": f"{alice.uri}#follows/{TOKEN}/undo",
            "type": "Undo",
            "actor": alice.uri,
            "to": [remote.uri],
            "object": follow,
        },
    )


@pytest.mark.django_db
def test_accept_and_reject_embed_the_follow(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    follow_uri = f"{remote.uri}#follows/1"
    do_follow(remote, alice, uri=follow_uri)
    accepted = Follow.objects.get(follower=remote, target=alice)
    do_reject_follow_request(alice, remote)
    follow = {"id": follow_uri, "type": "Follow", "actor": remote.uri, "to": [alice.uri], "object": alice.uri}
    assert_sent(
        queued_activities,
        {
            "@context": CONTEXT,
            "id": f"{alice.uri}#accepts/follows/{accepted.pk}",
            "type": "Accept",
            "actor": alice.uri,
            "to": [remote.uri],
            "object": follow,
        },
        {
            "@context": CONTEXT,
            "id": f"{alice.uri}#rejects/follows/{accepted.pk}",
            "type": "Reject",
            "actor": alice.uri,
            "to": [remote.uri],
            "object": follow,
        },
    )


@pytest.mark.django_db
def test_like_and_its_undo(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    status = StatusFactory.create(account=remote, uri=f"{remote.uri}/statuses/1", local=False)
    do_favourite(alice, status)
    do_unfavourite(alice, status)
    like = {
        "id": f"{alice.uri}#likes/{TOKEN}",
        "type": "Like",
        "actor": alice.uri,
        "to": [remote.uri],
        "object": status.uri,
    }
    assert_sent(
        queued_activities,
        {"@context": CONTEXT, **like},
        {
            "@context": CONTEXT,
            "id": f"{alice.uri}#likes/{TOKEN}/undo",
            "type": "Undo",
            "actor": alice.uri,
            "to": [remote.uri],
            "object": like,
        },
    )


@pytest.mark.django_db
def test_undo_of_a_boost_embeds_the_announce(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    FollowFactory.create(follower=remote, target=alice)
    status = StatusFactory.create(account=remote, uri=f"{remote.uri}/statuses/1", local=False)
    reblog = do_reblog(alice, status)
    do_unreblog(alice, status)
    announce = {
        "id": reblog.uri,
        "type": "Announce",
        "actor": alice.uri,
        "published": reblog.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": [PUBLIC],
        "cc": [alice.followers_uri, remote.uri],
        "object": status.uri,
    }
    assert_sent(
        queued_activities,
        {"@context": CONTEXT, **announce},
        {
            "@context": CONTEXT,
            "id": f"{reblog.uri}/undo",
            "type": "Undo",
            "actor": alice.uri,
            "to": [PUBLIC],
            "cc": [alice.followers_uri, remote.uri],
            "object": announce,
        },
    )


@pytest.mark.django_db
def test_block_and_its_undo(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    do_block(alice, remote)
    do_unblock(alice, remote)
    block = {
        "id": f"{alice.uri}#blocks/{TOKEN}",
        "type": "Block",
        "actor": alice.uri,
        "to": [remote.uri],
        "object": remote.uri,
    }
    assert_sent(
        queued_activities,
        {"@context": CONTEXT, **block},
        {
            "@context": CONTEXT,
            "id": f"{alice.uri}#blocks/{TOKEN}/undo",
            "type": "Undo",
            "actor": alice.uri,
            "to": [remote.uri],
            "object": block,
        },
    )


@pytest.mark.django_db
def test_pin_adds_to_and_unpin_removes_from_the_featured_collection(
    alice: Actor, remote: Actor, queued_activities: Queued
) -> None:
    FollowFactory.create(follower=remote, target=alice)
    status = StatusFactory.create(account=alice)
    do_pin(alice, status)
    do_unpin(alice, status)
    assert_sent(
        queued_activities,
        *(
            {
                "@context": CONTEXT,
                "id": f"{alice.uri}#{kind.lower()}/{TOKEN}",
                "type": kind,
                "actor": alice.uri,
                "target": alice.featured_uri,
                "to": [PUBLIC],
                "object": status.uri,
            }
            for kind in ("Add", "Remove")
        ),
    )


@pytest.mark.django_db
def test_move_names_the_new_account_as_target(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    FollowFactory.create(follower=remote, target=alice)
    target = RemoteActorFactory.create(username="alice", also_known_as=[alice.uri])
    do_move_account(alice, target)
    assert_sent(
        queued_activities,
        {
            "@context": CONTEXT,
            "id": f"{alice.uri}#moves/{TOKEN}",
            "type": "Move",
            "actor": alice.uri,
            "target": target.uri,
            "to": [alice.followers_uri],
            "object": alice.uri,
        },
    )


@pytest.mark.django_db
def test_poll_vote_is_a_create_of_a_bare_note(alice: Actor, remote: Actor, queued_activities: Queued) -> None:
    status = StatusFactory.create(account=remote, uri=f"{remote.uri}/statuses/1", local=False)
    PollFactory.create(status=status, options=["tea", "coffee"], votes=[0, 0], multiple=True)
    do_vote(alice, status, [1, 0])
    assert_sent(
        queued_activities,
        *(
            {
                "@context": CONTEXT,
                "id": f"{alice.uri}#votes/{TOKEN}/activity",
                "type": "Create",
                "actor": alice.uri,
                "to": [remote.uri],
                "object": {
                    "id": f"{alice.uri}#votes/{TOKEN}",
                    "type": "Note",
                    "name": name,
                    "attributedTo": alice.uri,
                    "to": [remote.uri],
                    "inReplyTo": status.uri,
                },
            }
            for name in ("coffee", "tea")
        ),
    )
