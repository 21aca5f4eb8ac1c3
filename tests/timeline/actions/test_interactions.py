"""Likes, boosts, blocks, polls, edits and deletes: local state, notifications and outgoing activities."""

from __future__ import annotations

import pytest

from federation.activitypub.context import PUBLIC
from federation.models import Actor, OutboundActivity, Tombstone
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.actions.blocks import do_block, do_unblock
from timeline.actions.interactions import do_favourite, do_reblog, do_unfavourite, do_unreblog
from timeline.actions.polls import do_vote
from timeline.actions.statuses import (
    check_create_status,
    check_delete_status,
    check_edit_status,
    do_create_status,
    do_delete_status,
    do_edit_status,
)
from timeline.errors import InteractionRefused, StatusRefused
from timeline.models import Block, Favourite, Follow, Notification, Poll, PollVote, Status, Visibility


def sent(kind: str) -> list[dict[str, object]]:
    return [a.body for a in OutboundActivity.objects.filter(activity_type=kind).order_by("id")]


@pytest.mark.django_db
def test_like_of_a_remote_status_notifies_nobody_here_and_sends_like(alice: Actor) -> None:
    remote = RemoteActorFactory.create()
    status = StatusFactory.create(account=remote, uri=f"{remote.uri}/statuses/1", local=False)
    favourite = do_favourite(alice, status)
    assert do_favourite(alice, status) == favourite
    assert sent("Like")[0]["object"] == status.uri
    do_unfavourite(alice, status)
    assert not Favourite.objects.exists()
    assert sent("Undo")[0]["object"]["type"] == "Like"  # type: ignore[index]


@pytest.mark.django_db
def test_like_and_boost_of_a_local_status_notify_its_author(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob)
    do_favourite(alice, status)
    reblog = do_reblog(alice, status)
    assert reblog.reblog_of_id == status.pk
    assert do_reblog(alice, reblog).pk == reblog.pk
    kinds = set(Notification.objects.filter(recipient=bob).values_list("type", flat=True))
    assert kinds == {"favourite", "reblog"}
    do_unreblog(alice, status)
    assert not Status.objects.filter(reblog_of=status).exists()
    assert not Notification.objects.filter(recipient=bob, type="reblog").exists()


@pytest.mark.django_db
def test_boost_is_announced_to_followers_and_the_author(alice: Actor) -> None:
    author = RemoteActorFactory.create(domain="gts.example", shared_inbox_uri="")
    follower = RemoteActorFactory.create(domain="mastodon.example")
    FollowFactory.create(follower=follower, target=alice)
    status = StatusFactory.create(account=author, uri=f"{author.uri}/statuses/7", local=False)
    do_reblog(alice, status)
    [announce] = sent("Announce")
    assert announce["object"] == status.uri and announce["to"] == [PUBLIC]
    inboxes = set(OutboundActivity.objects.get().deliveries.values_list("inbox", flat=True))
    assert inboxes == {author.inbox_uri, follower.shared_inbox_uri}


@pytest.mark.django_db
def test_refused_interactions_change_nothing(alice: Actor, bob: Actor) -> None:
    private = StatusFactory.create(account=bob, visibility=Visibility.PRIVATE)
    with pytest.raises(InteractionRefused, match="not visible"):
        do_favourite(alice, private)
    FollowFactory.create(follower=alice, target=bob)
    with pytest.raises(InteractionRefused, match="Only public and unlisted"):
        do_reblog(alice, private)
    do_block(bob, alice)
    public = StatusFactory.create(account=bob)
    with pytest.raises(InteractionRefused, match="blocked you"):
        do_favourite(alice, public)
    with pytest.raises(InteractionRefused, match="yourself"):
        do_block(alice, alice)
    assert not Favourite.objects.exists()
    assert not Status.objects.filter(reblog_of__isnull=False).exists()


@pytest.mark.django_db
def test_block_ends_follows_both_ways_and_tells_a_remote_target(alice: Actor) -> None:
    remote = RemoteActorFactory.create()
    FollowFactory.create(follower=alice, target=remote)
    FollowFactory.create(follower=remote, target=alice)
    block = do_block(alice, remote)
    assert not Follow.objects.exists()
    assert sent("Block")[0]["id"] == block.uri
    do_unblock(alice, remote)
    assert not Block.objects.exists()
    assert sent("Undo")[0]["object"]["type"] == "Block"  # type: ignore[index]


@pytest.mark.django_db
def test_edit_sends_update_and_delete_sends_delete_and_keeps_a_tombstone(alice: Actor) -> None:
    FollowFactory.create(follower=RemoteActorFactory.create(), target=alice)
    status = do_create_status(alice, check_create_status(alice, text="first #Draft"))
    assert list(status.tags.values_list("name", flat=True)) == ["draft"]
    assert sent("Create")[0]["object"]["tag"] == [{"type": "Hashtag", "name": "#draft"}]  # type: ignore[index]
    do_edit_status(alice, status, check_edit_status(alice, status, text="second"))
    status.refresh_from_db()
    assert status.text == "second" and status.edited_at is not None
    assert sent("Update")[0]["object"]["content"] == "<p>second</p>"  # type: ignore[index]
    do_delete_status(alice, status)
    assert not Status.objects.exists()
    assert Tombstone.objects.filter(uri=status.uri).exists()
    assert sent("Delete")[0]["object"] == {"id": status.uri, "type": "Tombstone", "atomUri": status.uri}


@pytest.mark.django_db
def test_only_the_author_edits_or_deletes(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, text="mine")
    with pytest.raises(StatusRefused, match="only edit your own"):
        check_edit_status(bob, status, text="theirs")
    with pytest.raises(StatusRefused, match="only delete your own"):
        check_delete_status(bob, status)
    status.refresh_from_db()
    assert status.text == "mine"


@pytest.mark.django_db
def test_mentions_are_linked_to_known_actors_and_notified(alice: Actor, bob: Actor) -> None:
    remote = RemoteActorFactory.create(username="dana", domain="mastodon.example")
    status = do_create_status(alice, check_create_status(alice, text="hi @bob and @dana@mastodon.example and @nobody"))
    assert set(status.mentions.values_list("account", flat=True)) == {bob.pk, remote.pk}
    assert Notification.objects.filter(recipient=bob, type="mention").exists()
    # The remote mention's server gets the Create even though nobody there follows alice.
    assert OutboundActivity.objects.get().deliveries.get().inbox == remote.shared_inbox_uri


@pytest.mark.django_db
def test_local_poll_counts_one_vote_per_member(alice: Actor, bob: Actor) -> None:
    status = do_create_status(alice, check_create_status(alice, text="tea?", poll_options=["yes", "no"]))
    do_vote(bob, status, [0])
    poll = Poll.objects.get()
    assert (poll.votes, poll.voters_count) == ([1, 0], 1)
    with pytest.raises(InteractionRefused, match="already voted"):
        do_vote(bob, status, [1])
    with pytest.raises(InteractionRefused, match="own poll"):
        do_vote(alice, status, [1])
    with pytest.raises(StatusRefused, match="between 2 and"):
        check_create_status(alice, text="?", poll_options=["only"])
    assert PollVote.objects.count() == 1


@pytest.mark.django_db
def test_vote_in_a_remote_poll_goes_to_its_author_only(alice: Actor) -> None:
    author = RemoteActorFactory.create()
    status = StatusFactory.create(account=author, uri=f"{author.uri}/statuses/3", local=False)
    Poll.objects.create(status=status, options=["a", "b"], votes=[0, 0], multiple=True)
    do_vote(alice, status, [0, 1])
    votes = sent("Create")
    assert [v["object"]["name"] for v in votes] == ["a", "b"]  # type: ignore[index]
    assert all(v["to"] == [author.uri] for v in votes)


@pytest.mark.django_db
def test_blockers_do_not_receive_the_blocked_accounts_statuses(alice: Actor, bob: Actor) -> None:
    from timeline.actions.fan_out import local_audience_ids

    do_block(alice, bob)
    mention = StatusFactory.create(account=bob)
    mention.mentions.create(account=alice)
    assert alice.pk not in local_audience_ids(mention)


@pytest.mark.django_db
def test_profile_update_is_sent(alice: Actor) -> None:
    from federation.actions.outbox import publish_actor_update

    remote = RemoteActorFactory.create()
    FollowFactory.create(follower=remote, target=alice)
    alice.display_name = "Alice A."
    alice.save(update_fields=["display_name"])
    publish_actor_update(alice)
    assert sent("Update")[0]["object"]["name"] == "Alice A."  # type: ignore[index]
