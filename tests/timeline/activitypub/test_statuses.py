"""A run of Creates handled together: which notes are taken and stored, and which are left to `create`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from federation.inbox.registry import IgnoredActivity, Received, dispatch_batch, read_activity
from federation.models import Actor, Tombstone
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory
from tests.federation.views.test_inbox import note_create
from timeline.models import Mention, Status, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote(db: None) -> Actor:
    return RemoteActorFactory.create(username="carol", domain="mastodon.example")


def create(actor: Actor, suffix: str, /, **object_changes: Any) -> dict[str, Any]:
    """Return a Create of a public note with the id `<actor>/statuses/<suffix>`, its object changed as given."""
    activity = note_create(actor, note_id=f"{actor.uri}/statuses/{suffix}", text=suffix)
    activity["object"].update(object_changes)
    return activity


def stored_uris() -> set[str]:
    return set(Status.objects.values_list("uri", flat=True))


def test_plain_notes_are_taken_and_stored(remote: Actor) -> None:
    activities = [create(remote, str(n)) for n in range(3)]
    outcomes = dispatch_batch("Create", [Received(remote, read_activity(activity)) for activity in activities])
    assert outcomes == {0: None, 1: None, 2: None}
    assert stored_uris() == {activity["object"]["id"] for activity in activities}
    assert [
        (status.content, status.visibility, status.account_id, status.local)
        for status in Status.objects.order_by("uri")
    ] == [(f"<p>{n}</p>", Visibility.PUBLIC, remote.pk, False) for n in range(3)]


def test_the_owners_of_the_personal_inboxes_a_note_reached_are_given_it(remote: Actor, alice: Actor) -> None:
    activity = create(remote, "followers", to=[remote.followers_uri], cc=[])
    assert dispatch_batch("Create", [Received(remote, read_activity(activity), [alice])]) == {0: None}
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.visibility == Visibility.PRIVATE
    assert list(Mention.objects.filter(status=status).values_list("account_id", "silent")) == [(alice.pk, True)]


def collection(actor: Actor) -> dict[str, Any]:
    return create(actor, "collection", type="Collection")


def object_by_reference(actor: Actor) -> dict[str, Any]:
    activity = create(actor, "reference")
    activity["object"] = activity["object"]["id"]
    return activity


def unreadable(actor: Actor) -> dict[str, Any]:
    return create(actor, "unreadable", attributedTo=None)


def possible_vote(actor: Actor) -> dict[str, Any]:
    # The poll it would answer is stored: it is left out for its shape alone.
    poll = StatusFactory.create()
    return create(actor, "vote", name="Yes", content="", inReplyTo=poll.uri)


def reply_to_an_unknown_status(actor: Actor) -> dict[str, Any]:
    return create(actor, "reply", inReplyTo="https://elsewhere.example/statuses/unknown")


@pytest.mark.parametrize(
    "left_out",
    [collection, object_by_reference, unreadable, possible_vote, reply_to_an_unknown_status],
    ids=["not a status", "not embedded", "unreadable", "possible vote", "reply to an unknown status"],
)
def test_what_needs_the_handler_of_its_own_is_left_out(
    remote: Actor, left_out: Callable[[Actor], dict[str, Any]]
) -> None:
    before, after = create(remote, "before"), create(remote, "after")
    odd = left_out(remote)
    already = stored_uris()
    outcomes = dispatch_batch(
        "Create",
        [
            Received(remote, read_activity(before)),
            Received(remote, read_activity(odd)),
            Received(remote, read_activity(after)),
        ],
    )
    assert outcomes == {0: None, 2: None}
    assert stored_uris() - already == {before["object"]["id"], after["object"]["id"]}


def test_both_occurrences_of_a_note_carried_twice_are_left_out(remote: Actor) -> None:
    plain = create(remote, "plain")
    twice = create(remote, "twice")
    again = create(remote, "twice", content="<p>again</p>")
    outcomes = dispatch_batch(
        "Create",
        [
            Received(remote, read_activity(twice)),
            Received(remote, read_activity(plain)),
            Received(remote, read_activity(again)),
        ],
    )
    assert outcomes == {1: None}
    assert stored_uris() == {plain["object"]["id"]}


def test_a_run_of_left_outs_alone_takes_nothing(remote: Actor) -> None:
    outcomes = dispatch_batch(
        "Create",
        [Received(remote, read_activity(collection(remote))), Received(remote, read_activity(unreadable(remote)))],
    )
    assert outcomes == {}
    assert stored_uris() == set()


def test_a_reply_to_a_note_of_the_same_run_is_left_for_after_it(remote: Actor) -> None:
    parent = create(remote, "parent")
    reply = create(remote, "reply", inReplyTo=parent["object"]["id"])
    outcomes = dispatch_batch(
        "Create", [Received(remote, read_activity(parent)), Received(remote, read_activity(reply))]
    )
    assert outcomes == {0: None}
    assert stored_uris() == {parent["object"]["id"]}


def test_a_reply_to_a_stored_status_is_taken_with_its_parent(remote: Actor, alice: Actor) -> None:
    parent = StatusFactory.create(account=alice)
    reply = create(remote, "reply", inReplyTo=parent.uri)
    assert dispatch_batch("Create", [Received(remote, read_activity(reply))]) == {0: None}
    status = Status.objects.get(uri=reply["object"]["id"])
    assert status.in_reply_to_id == parent.pk


def test_a_deleted_note_is_ignored_and_not_stored(remote: Actor) -> None:
    plain = create(remote, "plain")
    deleted = create(remote, "deleted")
    Tombstone.objects.create(uri=deleted["object"]["id"])
    outcomes = dispatch_batch(
        "Create", [Received(remote, read_activity(plain)), Received(remote, read_activity(deleted))]
    )
    assert sorted(outcomes) == [0, 1]
    assert outcomes[0] is None
    assert isinstance(outcomes[1], IgnoredActivity)
    assert str(outcomes[1]) == "The status was deleted before it arrived."
    assert stored_uris() == {plain["object"]["id"]}
