"""Storing and processing inbox items with the personal inboxes they reached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from federation.actions.inbox import (
    VerifiedActivity,
    do_process_inbox_item,
    do_process_inbox_items,
    do_store_inbox_item,
    do_store_inbox_items,
    unprocessed_inbox_items,
)
from federation.models import Actor, InboxItem, InboxRecipient, Tombstone
from federation.tasks import requeue_unprocessed_inbox_items
from tests.factories.federation import RemoteActorFactory
from tests.federation.views.test_inbox import CaptureHooks, note_create
from timeline.models import Follow, Mention, Status, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def moo() -> Actor:
    return RemoteActorFactory.create(username="moo", domain="bovine.example", followers_uri="")


def hidden_followers_post(author: Actor) -> dict[str, Any]:
    activity = note_create(author)
    activity["to"] = activity["object"]["to"] = ["https://bovine.example/endpoints/followers-of-moo"]
    activity["cc"] = activity["object"]["cc"] = []
    return activity


def store(author: Actor, activity: dict[str, Any], recipient: Actor | None, hooks: CaptureHooks) -> list[Any]:
    """Store an activity as the inbox views do; return the queued work, not run."""
    with hooks() as queued:
        do_store_inbox_item(VerifiedActivity(actor=author, activity=activity), recipient)
    return queued


def test_a_second_inbox_recorded_before_processing_is_served_by_the_same_run(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    assert len(store(moo, activity, alice, django_capture_on_commit_callbacks)) == 1
    # The duplicate queues the item again; whichever run comes first serves both accounts.
    assert len(store(moo, activity, bob, django_capture_on_commit_callbacks)) == 1
    item = InboxItem.objects.get()
    assert do_process_inbox_item(item.pk) == InboxItem.State.PROCESSED
    assert do_process_inbox_item(item.pk) == "not pending"
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.visibility == Visibility.LIMITED
    assert set(Mention.objects.filter(status=status, silent=True).values_list("account_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    assert not InboxRecipient.objects.filter(handled_at__isnull=True).exists()


def test_the_same_inbox_or_the_shared_inbox_again_queues_nothing(
    alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    store(moo, activity, alice, django_capture_on_commit_callbacks)
    assert store(moo, activity, alice, django_capture_on_commit_callbacks) == []
    assert store(moo, activity, None, django_capture_on_commit_callbacks) == []
    assert InboxRecipient.objects.count() == 1


def test_another_actor_cannot_add_recipients_to_someone_elses_activity(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    store(moo, activity, alice, django_capture_on_commit_callbacks)
    neighbour = RemoteActorFactory.create(username="calf", domain="bovine.example")
    assert store(neighbour, activity, bob, django_capture_on_commit_callbacks) == []
    assert list(InboxRecipient.objects.values_list("account_id", flat=True)) == [alice.pk]


def test_a_later_inbox_of_an_ignored_activity_is_marked_handled_and_given_nothing(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    Tombstone.objects.create(uri=activity["object"]["id"])
    store(moo, activity, alice, django_capture_on_commit_callbacks)
    item = InboxItem.objects.get()
    assert do_process_inbox_item(item.pk) == InboxItem.State.IGNORED
    store(moo, activity, bob, django_capture_on_commit_callbacks)
    assert do_process_inbox_item(item.pk) == InboxItem.State.IGNORED
    assert not InboxRecipient.objects.filter(handled_at__isnull=True).exists()
    assert not Status.objects.exists()


def test_a_later_inbox_of_a_deleted_status_is_marked_handled(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    store(moo, activity, alice, django_capture_on_commit_callbacks)
    item = InboxItem.objects.get()
    do_process_inbox_item(item.pk)
    Status.objects.filter(uri=activity["object"]["id"]).delete()
    Tombstone.objects.create(uri=activity["object"]["id"])
    store(moo, activity, bob, django_capture_on_commit_callbacks)
    assert do_process_inbox_item(item.pk) == InboxItem.State.PROCESSED
    assert not InboxRecipient.objects.filter(handled_at__isnull=True).exists()
    assert not Status.objects.exists()


def test_a_later_inbox_of_a_follow_changes_nothing(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{moo.uri}#follows/1",
        "type": "Follow",
        "actor": moo.uri,
        "object": alice.uri,
    }
    store(moo, follow, alice, django_capture_on_commit_callbacks)
    item = InboxItem.objects.get()
    assert do_process_inbox_item(item.pk) == InboxItem.State.PROCESSED
    store(moo, follow, bob, django_capture_on_commit_callbacks)
    assert do_process_inbox_item(item.pk) == InboxItem.State.PROCESSED
    assert list(Follow.objects.values_list("follower_id", "target_id")) == [(moo.pk, alice.pk)]
    assert not InboxRecipient.objects.filter(handled_at__isnull=True).exists()


def test_recovery_queues_processed_items_with_an_inbox_not_served_yet(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    store(moo, activity, alice, django_capture_on_commit_callbacks)
    item = InboxItem.objects.get()
    do_process_inbox_item(item.pk)
    # The task queued for bob's inbox was lost with its worker.
    store(moo, activity, bob, django_capture_on_commit_callbacks)
    InboxRecipient.objects.filter(account=bob).update(received_at=timezone.now() - timedelta(minutes=5))
    assert unprocessed_inbox_items(timedelta(seconds=60)) == [item.pk]
    with mock.patch("federation.tasks.process_inbox_items.delay") as delay:
        assert requeue_unprocessed_inbox_items(min_age_seconds=60) == 1
    delay.assert_called_once_with([item.pk])
    do_process_inbox_item(item.pk)
    assert unprocessed_inbox_items(timedelta(seconds=0)) == []
    assert Mention.objects.filter(account=bob, silent=True).exists()


def test_one_batch_carrying_an_activity_for_two_personal_inboxes_stores_it_once_with_both(
    alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = hidden_followers_post(moo)
    Follow.objects.create(follower=alice, target=moo, state=Follow.State.ACCEPTED)
    Follow.objects.create(follower=bob, target=moo, state=Follow.State.ACCEPTED)
    copies = [VerifiedActivity(actor=moo, activity=activity, recipient=owner) for owner in (alice, bob)]
    with django_capture_on_commit_callbacks() as queued:
        first, second = do_store_inbox_items(copies)
    assert first is not None and second is None
    assert len(queued) == 1
    assert set(InboxRecipient.objects.filter(item=first).values_list("account_id", flat=True)) == {alice.pk, bob.pk}
    assert do_process_inbox_items([first.pk]) == {first.pk: InboxItem.State.PROCESSED}
    status = Status.objects.get(uri=activity["object"]["id"])
    assert alice.home_entries.filter(status=status).exists()
    assert bob.home_entries.filter(status=status).exists()
    assert not InboxRecipient.objects.filter(handled_at__isnull=True).exists()
