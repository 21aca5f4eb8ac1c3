"""Moving accounts: aliases for moving in, moving away with the alias check and the cooldown."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from federation.actions.remote_actors import do_store_actor_document
from federation.inbox import dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor, OutboundActivity
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FollowFactory
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub
from timeline.actions.moves import (
    check_add_alias,
    check_move_away,
    do_add_alias,
    do_move_account,
    do_remove_alias,
)
from timeline.errors import InteractionRefused
from timeline.models import Follow, Notification

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
PASSWORD = "correct horse battery staple"


def remote_dana(network: FakeNetwork, *, aliases: list[str]) -> Actor:
    """Store dana@mastodon.example and serve her document with these aliases."""
    document = load_activitypub("mastodon/actor")
    document["alsoKnownAs"] = aliases
    network.serve(document)
    return do_store_actor_document(document)


@pytest.mark.django_db
def test_moving_away_needs_the_alias_on_the_new_account(alice: Actor, network: FakeNetwork) -> None:
    remote_dana(network, aliases=[])
    with pytest.raises(InteractionRefused, match="alias"):
        check_move_away(alice, "dana@mastodon.example", password=PASSWORD)
    alice.refresh_from_db()
    assert alice.moved_to_id is None and alice.moved_at is None
    assert not OutboundActivity.objects.filter(activity_type="Move").exists()


@pytest.mark.django_db
def test_moving_away_needs_the_password(alice: Actor, network: FakeNetwork) -> None:
    remote_dana(network, aliases=[alice.uri])
    with pytest.raises(InteractionRefused, match="password"):
        check_move_away(alice, "dana@mastodon.example", password="wrong")
    alice.refresh_from_db()
    assert alice.moved_to_id is None


@pytest.mark.django_db
def test_moving_away_moves_followers_and_tells_remote_ones(
    alice: Actor, bob: Actor, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    dana = remote_dana(network, aliases=[alice.uri])
    FollowFactory.create(follower=bob, target=alice)
    remote_follower = do_store_actor_document(load_activitypub("gotosocial/actor"))
    FollowFactory.create(follower=remote_follower, target=alice)
    target = check_move_away(alice, "@dana@mastodon.example", password=PASSWORD)
    # The alias was checked on a fresh copy of the new account's document.
    assert network.fetches[-1] == dana.uri
    with django_capture_on_commit_callbacks(execute=True):
        assert do_move_account(alice, target) == 1
    alice.refresh_from_db()
    assert alice.moved_to_id == dana.pk and alice.moved_at is not None
    move = network.posted("Move")[0]
    assert move["object"] == alice.uri and move["target"] == dana.uri
    assert "https://gts.example/users/erin/inbox" in [inbox for inbox, body in network.posts if body is move]
    assert Follow.objects.filter(follower=bob, target=dana).exists()
    assert not Follow.objects.filter(follower=bob, target=alice).exists()
    assert Notification.objects.filter(recipient=bob, type=Notification.Type.MOVE).exists()


@pytest.mark.django_db
def test_moving_again_waits_thirty_days(alice: Actor, network: FakeNetwork) -> None:
    remote_dana(network, aliases=[alice.uri])
    alice.moved_at = timezone.now() - timedelta(days=29)
    alice.save(update_fields=["moved_at"])
    with pytest.raises(InteractionRefused, match="moved recently"):
        check_move_away(alice, "dana@mastodon.example", password=PASSWORD)
    alice.moved_at = timezone.now() - timedelta(days=31)
    alice.save(update_fields=["moved_at"])
    assert check_move_away(alice, "dana@mastodon.example", password=PASSWORD).acct == "dana@mastodon.example"


@pytest.mark.django_db
def test_aliases_are_added_announced_and_removed(
    alice: Actor, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    dana = remote_dana(network, aliases=[])
    FollowFactory.create(follower=dana, target=alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert do_add_alias(alice, check_add_alias(alice, "dana@mastodon.example")) == [dana.uri]
    update = network.posted("Update")[-1]
    assert update["object"]["alsoKnownAs"] == [dana.uri]
    with pytest.raises(InteractionRefused, match="already"):
        check_add_alias(alice, "dana@mastodon.example")
    with pytest.raises(InteractionRefused, match="itself"):
        check_add_alias(alice, f"alice@{alice.uri.split('/')[2]}")
    assert do_remove_alias(alice, dana.uri) == []
    with pytest.raises(InteractionRefused, match="not an alias"):
        do_remove_alias(alice, dana.uri)


@pytest.mark.django_db
def test_a_remote_move_to_a_local_account_moves_local_followers(alice: Actor, network: FakeNetwork) -> None:
    dana = remote_dana(network, aliases=[])
    newcomer = LocalActorFactory.create(also_known_as=[dana.uri])
    FollowFactory.create(follower=alice, target=dana)
    move = load_activitypub("mastodon/move")
    move["target"] = newcomer.uri
    dispatch(dana, read_activity(move))
    dana.refresh_from_db()
    assert dana.moved_to_id == newcomer.pk
    assert Follow.objects.get(follower=alice, target=newcomer).state == Follow.State.ACCEPTED
    assert not Follow.objects.filter(follower=alice, target=dana).exists()


@pytest.mark.django_db
def test_a_remote_move_to_a_local_account_without_the_alias_changes_nothing(alice: Actor, network: FakeNetwork) -> None:
    from federation.inbox import IgnoredActivity

    dana = remote_dana(network, aliases=[])
    newcomer = LocalActorFactory.create()
    FollowFactory.create(follower=alice, target=dana)
    move = load_activitypub("mastodon/move")
    move["target"] = newcomer.uri
    with pytest.raises(IgnoredActivity, match="alias"):
        dispatch(dana, read_activity(move))
    assert Follow.objects.filter(follower=alice, target=dana).exists()
    assert not Follow.objects.filter(follower=alice, target=newcomer).exists()
