"""Following local and remote actors, and answering follow requests."""

from __future__ import annotations

import pytest

from federation.models import Actor, OutboundActivity
from tests.factories.federation import RemoteActorFactory
from timeline.actions.blocks import do_block
from timeline.actions.follows import (
    do_accept_follow_request,
    do_follow,
    do_reject_follow_request,
    do_remove_follower,
    do_unfollow,
)
from timeline.errors import FollowRefused
from timeline.models import Follow, Notification


def sent(kind: str) -> list[dict[str, object]]:
    return [a.body for a in OutboundActivity.objects.filter(activity_type=kind).order_by("id")]


@pytest.mark.django_db
def test_local_follow_of_unlocked_member_is_accepted_and_notified(alice: Actor, bob: Actor) -> None:
    follow = do_follow(alice, bob)
    assert follow.state == Follow.State.ACCEPTED
    assert Notification.objects.filter(recipient=bob, from_account=alice, type="follow").exists()
    assert OutboundActivity.objects.count() == 0


@pytest.mark.django_db
def test_locked_member_gets_a_request_to_accept_or_reject(alice: Actor, bob: Actor) -> None:
    bob.locked = True
    bob.save(update_fields=["locked"])
    assert do_follow(alice, bob).state == Follow.State.PENDING
    assert Notification.objects.filter(recipient=bob, type="follow_request").exists()
    assert do_accept_follow_request(bob, alice).state == Follow.State.ACCEPTED
    assert not Notification.objects.filter(recipient=bob, type="follow_request").exists()
    with pytest.raises(FollowRefused, match="no pending follow request"):
        do_accept_follow_request(bob, alice)


@pytest.mark.django_db
def test_follow_of_remote_actor_is_pending_and_sends_follow(alice: Actor) -> None:
    remote = RemoteActorFactory.create()
    follow = do_follow(alice, remote)
    assert follow.state == Follow.State.PENDING
    [activity] = sent("Follow")
    assert activity == {
        "@context": activity["@context"],
        "id": follow.uri,
        "type": "Follow",
        "actor": alice.uri,
        "to": [remote.uri],
        "object": remote.uri,
    }
    assert OutboundActivity.objects.get().deliveries.get().inbox == remote.shared_inbox_uri
    do_unfollow(alice, remote)
    [undo] = sent("Undo")
    assert undo["object"]["id"] == follow.uri  # type: ignore[index]
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_remote_follower_is_accepted_with_an_accept_activity(alice: Actor) -> None:
    remote = RemoteActorFactory.create()
    follow = do_follow(remote, alice, uri=f"{remote.uri}#follows/1")
    assert follow.state == Follow.State.ACCEPTED
    [accept] = sent("Accept")
    assert accept["object"]["id"] == f"{remote.uri}#follows/1"  # type: ignore[index]
    do_remove_follower(alice, remote)
    assert sent("Reject")[0]["object"]["actor"] == remote.uri  # type: ignore[index]
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_rejected_request_disappears(alice: Actor, bob: Actor) -> None:
    bob.locked = True
    bob.save(update_fields=["locked"])
    do_follow(alice, bob)
    do_reject_follow_request(bob, alice)
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_refused_follows_change_nothing(alice: Actor, bob: Actor) -> None:
    with pytest.raises(FollowRefused, match="yourself"):
        do_follow(alice, alice)
    do_block(bob, alice)
    with pytest.raises(FollowRefused, match="blocked you"):
        do_follow(alice, bob)
    with pytest.raises(FollowRefused, match="Unblock"):
        do_follow(bob, alice)
    assert not Follow.objects.exists()
