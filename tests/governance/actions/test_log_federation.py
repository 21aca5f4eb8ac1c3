"""Peers follow the instance actor and receive each public log entry; other entries never leave the server."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from federation.actions.domain_policies import do_set_domain_policy
from federation.actions.inbox import check_origin
from federation.actions.instance_actor import instance_actor
from federation.actions.remote_actors import do_store_actor_document
from federation.inbox import IgnoredActivity, dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor, Delivery, OutboundActivity
from federation.uris import base_url
from governance.actions.log import do_append_log_entry
from governance.models import LogEntry, LogVisibility
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub
from timeline.models import Follow

pytestmark = pytest.mark.django_db

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
DANA_INBOX = "https://mastodon.example/inbox"


def deliver(actor: Actor, activity: dict[str, Any]) -> None:
    """Run an activity through the origin checks and its handler, as the inbox worker does."""
    check_origin(actor, activity)
    dispatch(actor, read_activity(activity))


@pytest.fixture
def dana() -> Actor:
    return do_store_actor_document(load_activitypub("mastodon/actor"))


@pytest.fixture
def following(dana: Actor) -> Follow:
    """Dana's server follows the instance actor (a Mastodon-shaped Follow) and is accepted at once."""
    deliver(dana, load_activitypub("mastodon/follow"))
    return Follow.objects.get(follower=dana, target=instance_actor())


def log_creates() -> list[OutboundActivity]:
    return list(OutboundActivity.objects.filter(activity_type="Create", actor=instance_actor()))


def test_a_follow_of_the_instance_actor_is_accepted_at_once(following: Follow) -> None:
    assert following.state == Follow.State.ACCEPTED
    assert following.uri == "https://mastodon.example/5d7c1f0e-8a3b-4c52-9e61-0f2a4b6c8d10"
    accept = OutboundActivity.objects.get(activity_type="Accept")
    assert accept.actor == instance_actor()
    assert accept.body["object"]["id"] == following.uri
    assert list(accept.deliveries.values_list("inbox", flat=True)) == [DANA_INBOX]


@pytest.mark.usefixtures("following")
def test_a_public_entry_is_delivered_to_the_followers_as_a_create_of_a_note() -> None:
    entry = do_append_log_entry(LogEntry.Kind.DOMAIN_POLICY, summary="Suspended spam.example", data={"d": 1})
    [create] = log_creates()
    assert list(create.deliveries.values_list("inbox", "state")) == [(DANA_INBOX, Delivery.State.PENDING)]
    body = create.body
    assert body["type"] == "Create"
    assert body["actor"] == instance_actor().uri
    assert body["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert body["cc"] == [instance_actor().followers_uri]
    note = body["object"]
    assert note["type"] == "Note"
    assert note["attributedTo"] == instance_actor().uri
    assert note["id"] == f"{base_url()}/governance/log/{entry.sequence}"
    assert "<p>Suspended spam.example</p>" in note["content"]
    assert f'href="{note["id"]}"' in note["content"]
    assert note["mutualsLogEntry"]["entry_hash"] == entry.entry_hash
    assert note["mutualsLogEntry"]["previous_hash"] == entry.previous_hash


def test_the_create_is_sent_only_after_commit(
    following: Follow, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_append_log_entry(LogEntry.Kind.BUDGET, summary="Budget for hosting", data={})
    assert network.posted("Create") == []
    for callback in callbacks:
        callback()
    [(inbox, activity)] = [(url, body) for url, body in network.posts if body["type"] == "Create"]
    assert inbox == DANA_INBOX
    assert activity["object"]["mutualsLogEntry"]["summary"] == "Budget for hosting"


@pytest.mark.usefixtures("following")
@pytest.mark.parametrize("visibility", [LogVisibility.MEMBERS, LogVisibility.MODERATORS])
def test_members_and_moderators_entries_are_never_delivered(visibility: LogVisibility) -> None:
    do_append_log_entry(LogEntry.Kind.MODERATION_ACTION, summary="Warned a member", data={}, visibility=visibility)
    assert log_creates() == []
    assert not Delivery.objects.filter(activity__activity_type="Create").exists()


def test_undo_follow_stops_deliveries(dana: Actor, following: Follow) -> None:
    deliver(dana, load_activitypub("mastodon/undo_follow"))
    assert not Follow.objects.filter(follower=dana).exists()
    do_append_log_entry(LogEntry.Kind.BUDGET, summary="Budget for hosting", data={})
    assert log_creates() == []


def test_without_followers_nothing_is_queued() -> None:
    do_append_log_entry(LogEntry.Kind.BUDGET, summary="Budget for hosting", data={})
    assert not OutboundActivity.objects.exists()


def test_a_follow_from_a_suspended_domain_is_refused_and_nothing_is_stored(dana: Actor) -> None:
    do_set_domain_policy("mastodon.example", severity="suspend", authorised_by="test")
    with pytest.raises(IgnoredActivity, match="does not accept follows"):
        deliver(dana, load_activitypub("mastodon/follow"))
    assert not Follow.objects.exists()
    assert not OutboundActivity.objects.exists()


def test_a_follower_suspended_later_receives_nothing(following: Follow) -> None:
    do_set_domain_policy("mastodon.example", severity="suspend", authorised_by="test")
    do_append_log_entry(LogEntry.Kind.BUDGET, summary="Budget for hosting", data={})
    assert not Delivery.objects.filter(activity__activity_type="Create").exists()


def test_an_instance_actor_created_locked_is_unlocked_and_links_the_log() -> None:
    actor = instance_actor()
    Actor.objects.filter(pk=actor.pk).update(locked=True, outbox_uri="", followers_uri="")
    actor = instance_actor()
    actor.refresh_from_db()
    assert actor.locked is False
    assert actor.outbox_uri == f"{base_url()}/governance/log"
    assert actor.followers_uri == f"{base_url()}/actor/followers"


def test_a_request_left_pending_while_the_actor_was_locked_is_accepted_when_repeated(dana: Actor) -> None:
    follow = Follow.objects.create(
        follower=dana, target=instance_actor(), state=Follow.State.PENDING, uri="https://mastodon.example/old"
    )
    deliver(dana, load_activitypub("mastodon/follow"))
    follow.refresh_from_db()
    assert follow.state == Follow.State.ACCEPTED
    [accept] = OutboundActivity.objects.filter(activity_type="Accept")
    assert accept.body["object"]["id"] == "https://mastodon.example/5d7c1f0e-8a3b-4c52-9e61-0f2a4b6c8d10"
