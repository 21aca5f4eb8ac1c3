"""Inbox items are stored and processed in batches: each item once, a failure confined to its own item."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from federation.actions import inbox as inbox_actions
from federation.actions.inbox import (
    MAX_PROCESSING_ATTEMPTS,
    VerifiedActivity,
    do_process_inbox_item,
    do_process_inbox_items,
    do_store_inbox_items,
)
from federation.activitypub import Activity
from federation.inbox import registry
from federation.models import Actor, InboxItem
from tests.factories.federation import RemoteActorFactory
from tests.federation.views.test_inbox import note_create
from timeline.models import Follow, Status, TimelineEntry

pytestmark = pytest.mark.django_db

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def remote(alice: Actor) -> Actor:
    """Return a remote actor that alice follows."""
    actor = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    Follow.objects.create(follower=alice, target=actor, state=Follow.State.ACCEPTED)
    return actor


def received(actor: Actor, activity: dict[str, Any], **fields: Any) -> InboxItem:
    """Store an activity as the inbox does, without queueing its processing."""
    return InboxItem.objects.create(
        activity_id=activity["id"], activity_type=activity["type"], actor_uri=actor.uri, body=activity, **fields
    )


def posts(actor: Actor, count: int) -> list[InboxItem]:
    return [received(actor, note_create(actor, note_id=f"{actor.uri}/statuses/{n}")) for n in range(count)]


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the id of every activity a handler runs for."""
    seen: list[str] = []
    real = registry.dispatch

    def dispatch(actor: Actor, activity: Activity, recipients: Sequence[Actor] = ()) -> None:
        seen.append(activity.id)
        real(actor, activity)

    def dispatch_batch(kind: str, received: Sequence[registry.Received]) -> dict[int, Any]:
        outcomes = registry.dispatch_batch(kind, received)
        seen.extend(received[position].activity.id for position in outcomes)
        return outcomes

    monkeypatch.setattr(inbox_actions, "dispatch", dispatch)
    monkeypatch.setattr(inbox_actions, "dispatch_batch", dispatch_batch)
    return seen


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handle every activity on its own, as activities of types without a batch handler are."""
    monkeypatch.setattr(inbox_actions, "takes_batches", lambda kind: False)


def test_one_call_processes_its_item_and_the_others_waiting_with_their_fan_out(alice: Actor, remote: Actor) -> None:
    items = posts(remote, 5)
    outcomes = do_process_inbox_items([items[2].pk])
    assert outcomes == {item.pk: "processed" for item in items}
    assert set(InboxItem.objects.values_list("state", flat=True)) == {InboxItem.State.PROCESSED}
    statuses = Status.objects.filter(account=remote)
    assert statuses.count() == 5
    # Fanned out in the same transaction: no status waits for a task of its own.
    assert not statuses.filter(fanned_out_at__isnull=True).exists()
    assert TimelineEntry.objects.filter(owner=alice).count() == 5


def test_an_item_is_processed_once_whoever_names_it(remote: Actor, handled: list[str]) -> None:
    first, second, third = posts(remote, 3)
    assert do_process_inbox_items([first.pk, second.pk], limit=2) == {first.pk: "processed", second.pk: "processed"}
    assert do_process_inbox_items([first.pk, second.pk, third.pk]) == {
        first.pk: "not pending",
        second.pk: "not pending",
        third.pk: "processed",
    }
    assert do_process_inbox_item(third.pk) == "not pending"
    assert sorted(handled) == sorted(item.activity_id for item in (first, second, third))


def test_a_call_takes_at_most_its_limit_beyond_its_own_items(remote: Actor) -> None:
    items = posts(remote, 5)
    outcomes = do_process_inbox_items([items[4].pk], limit=3)
    # Its own item, then the oldest others.
    assert outcomes == {items[0].pk: "processed", items[1].pk: "processed", items[4].pk: "processed"}
    assert InboxItem.objects.filter(state=InboxItem.State.RECEIVED).count() == 2


def test_items_tried_before_are_left_to_their_own_tasks(remote: Actor, handled: list[str]) -> None:
    retry = received(remote, note_create(remote, note_id=f"{remote.uri}/statuses/retry"), attempts=1)
    fresh = posts(remote, 1)[0]
    assert do_process_inbox_items([fresh.pk]) == {fresh.pk: "processed"}
    assert handled == [fresh.activity_id]
    assert do_process_inbox_items([retry.pk]) == {retry.pk: "processed"}


@pytest.mark.usefixtures("one_at_a_time")
def test_a_failing_handler_undoes_its_own_item_only(remote: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    good, bad, later = posts(remote, 3)
    real = registry.dispatch

    def dispatch(actor: Actor, activity: Activity, recipients: Sequence[Actor] = ()) -> None:
        real(actor, activity)
        if activity.id == bad.activity_id:
            raise RuntimeError("a fault in a handler")

    monkeypatch.setattr(inbox_actions, "dispatch", dispatch)
    outcomes = do_process_inbox_items([good.pk])
    assert outcomes == {good.pk: "processed", bad.pk: "received", later.pk: "processed"}
    bad.refresh_from_db()
    assert (bad.attempts, bad.error) == (1, "RuntimeError: a fault in a handler")
    # The status the failing handler stored went with its savepoint.
    assert set(Status.objects.values_list("uri", flat=True)) == {good.body["object"]["id"], later.body["object"]["id"]}
    for _ in range(MAX_PROCESSING_ATTEMPTS - 1):
        do_process_inbox_items([bad.pk])
    bad.refresh_from_db()
    assert bad.state == InboxItem.State.FAILED


def test_a_run_that_fails_together_is_handled_one_item_at_a_time(
    remote: Actor, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad, later = posts(remote, 3)
    real_batch = registry.dispatch_batch
    real = registry.dispatch
    runs: list[int] = []

    def dispatch_batch(kind: str, received: Sequence[registry.Received]) -> dict[int, Any]:
        runs.append(len(received))
        outcomes = real_batch(kind, received)
        if any(item.activity.id == bad.activity_id for item in received):
            raise RuntimeError("a fault in a batch handler")
        return outcomes

    def dispatch(actor: Actor, activity: Activity, recipients: Sequence[Actor] = ()) -> None:
        real(actor, activity)
        if activity.id == bad.activity_id:
            raise RuntimeError("a fault in a handler")

    monkeypatch.setattr(inbox_actions, "dispatch_batch", dispatch_batch)
    monkeypatch.setattr(inbox_actions, "dispatch", dispatch)
    outcomes = do_process_inbox_items([good.pk])
    assert runs == [3]
    assert "a run of 3 Create items failed together" in caplog.text
    assert outcomes == {good.pk: "processed", bad.pk: "received", later.pk: "processed"}
    bad.refresh_from_db()
    assert (bad.attempts, bad.error) == (1, "RuntimeError: a fault in a handler")
    # What the run stored went with its savepoint; the statuses stored one at a time after it stay.
    assert set(Status.objects.values_list("uri", flat=True)) == {good.body["object"]["id"], later.body["object"]["id"]}
    assert TimelineEntry.objects.count() == 2


def test_a_run_of_creates_is_stored_together_and_leaves_what_needs_a_fetch(
    alice: Actor, remote: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = posts(remote, 2)
    reply = received(remote, note_create(remote, note_id=f"{remote.uri}/statuses/reply"))
    reply.body["object"]["inReplyTo"] = "https://elsewhere.example/statuses/unknown"
    reply.save()
    fetched: list[str] = []

    def resolve_status(uri: str, *, depth: int = 0) -> None:
        fetched.append(uri)

    monkeypatch.setattr("timeline.activitypub.statuses.resolve_status", resolve_status)
    taken: list[list[str]] = []
    real_batch = registry.dispatch_batch

    def dispatch_batch(kind: str, received: Sequence[registry.Received]) -> dict[int, Any]:
        outcomes = real_batch(kind, received)
        taken.append([received[position].activity.id for position in outcomes])
        return outcomes

    monkeypatch.setattr(inbox_actions, "dispatch_batch", dispatch_batch)
    assert set(do_process_inbox_items([first.pk]).values()) == {"processed"}
    assert taken == [[first.activity_id, second.activity_id]]
    # The reply whose parent is unknown went to the handler of its own, which tried to fetch the parent.
    assert fetched == ["https://elsewhere.example/statuses/unknown"]
    assert Status.objects.get(uri=reply.body["object"]["id"]).in_reply_to is None
    assert TimelineEntry.objects.filter(owner=alice).count() == 3


def test_ignored_and_processed_items_of_one_batch_are_recorded_together(remote: Actor) -> None:
    note = posts(remote, 1)[0]
    article = note_create(remote, note_id=f"{remote.uri}/collections/1")
    article["object"]["type"] = "Collection"
    other = received(remote, article)
    assert do_process_inbox_items([note.pk, other.pk]) == {note.pk: "processed", other.pk: "ignored"}
    other.refresh_from_db()
    assert "are not stored" in other.error
    assert other.processed_at is not None


def test_a_batch_that_cannot_commit_is_processed_one_item_at_a_time(
    remote: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = posts(remote, 3)
    poison = items[1]
    real = inbox_actions._record

    def record(done: list[InboxItem]) -> None:
        if any(item.pk == poison.pk for item in done):
            raise DatabaseError("violates a constraint checked at commit")
        real(done)

    monkeypatch.setattr(inbox_actions, "_record", record)
    outcomes = do_process_inbox_items([items[0].pk])
    assert outcomes == {items[0].pk: "processed", poison.pk: "received", items[2].pk: "processed"}
    poison.refresh_from_db()
    assert poison.attempts == 1
    assert "violates a constraint" in poison.error
    assert not Status.objects.filter(uri=poison.body["object"]["id"]).exists()


@pytest.mark.usefixtures("one_at_a_time")
def test_a_batch_past_its_time_commits_and_goes_on(remote: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_actions, "BATCH_SECONDS", 0.0)
    batches: list[list[int]] = []
    real = inbox_actions._record

    def record(done: list[InboxItem]) -> None:
        batches.append([item.pk for item in done])
        real(done)

    monkeypatch.setattr(inbox_actions, "_record", record)
    items = posts(remote, 3)
    assert set(do_process_inbox_items([items[0].pk]).values()) == {"processed"}
    assert batches == [[item.pk] for item in items]


def test_an_actor_deleted_earlier_in_the_batch_is_gone_for_its_later_activities(remote: Actor) -> None:
    delete = received(
        remote, {"id": f"{remote.uri}#delete", "type": "Delete", "actor": remote.uri, "object": remote.uri}
    )
    create = posts(remote, 1)[0]
    assert do_process_inbox_items([delete.pk]) == {delete.pk: "processed", create.pk: "ignored"}
    create.refresh_from_db()
    assert create.error == "The actor is gone."
    assert not Actor.objects.filter(uri=remote.uri).exists()
    assert not Status.objects.exists()


def test_activities_stored_together_queue_one_task_and_skip_duplicates(
    remote: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(inbox_actions, "enqueue_on_commit", lambda name, *args: queued.append((name, args)))
    stored_before = received(remote, note_create(remote, note_id=f"{remote.uri}/statuses/0"))
    activities = [VerifiedActivity(remote, note_create(remote, note_id=f"{remote.uri}/statuses/{n}")) for n in range(3)]
    again = VerifiedActivity(remote, note_create(remote, note_id=f"{remote.uri}/statuses/1"))
    items = do_store_inbox_items([*activities, again])
    assert items[0] is None and items[3] is None
    assert items[1] is not None and items[2] is not None
    assert queued == [("federation.tasks.process_inbox_items", ([items[1].pk, items[2].pk],))]
    assert InboxItem.objects.count() == 3
    assert stored_before.pk not in {item.pk for item in items if item is not None}


def test_an_activity_stored_by_another_request_meanwhile_is_skipped(
    remote: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    received(remote, note_create(remote, note_id=f"{remote.uri}/statuses/0"), state=InboxItem.State.PROCESSED)
    # The other request's row was not there yet when this one looked.
    monkeypatch.setattr(inbox_actions, "_stored_activity_ids", lambda activity_ids: set())
    activities = [VerifiedActivity(remote, note_create(remote, note_id=f"{remote.uri}/statuses/{n}")) for n in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        items = do_store_inbox_items(activities)
    assert items[0] is None
    assert items[1] is not None
    assert InboxItem.objects.count() == 2
    # The one stored was queued on its own, and processed (tasks run eagerly in tests).
    items[1].refresh_from_db()
    assert items[1].state == InboxItem.State.PROCESSED


def notes_processed_in_queries(remote: Actor, count: int, offset: int) -> int:
    """Process `count` new notes in one batch and return how many queries that took."""
    items = [received(remote, note_create(remote, note_id=f"{remote.uri}/statuses/{offset + n}")) for n in range(count)]
    with CaptureQueriesContext(connection) as captured:
        outcomes = do_process_inbox_items([items[0].pk])
    assert set(outcomes.values()) == {"processed"}
    return len(captured.captured_queries)


def test_further_notes_in_a_batch_cost_no_further_query(alice: Actor, remote: Actor) -> None:
    # A run of Creates is stored together: what a batch reads and writes (claim, actors, the run's
    # stored-or-deleted check and insert, fan-out, outcomes) is paid once whatever its size.
    assert notes_processed_in_queries(remote, 20, 100) == notes_processed_in_queries(remote, 10, 0)
    assert TimelineEntry.objects.filter(owner=alice).count() == 30


@pytest.mark.usefixtures("one_at_a_time")
def test_each_further_note_handled_on_its_own_costs_four_queries(alice: Actor, remote: Actor) -> None:
    # Its savepoint and release, one query for a stored status or a tombstone, and its insert.
    assert notes_processed_in_queries(remote, 20, 100) - notes_processed_in_queries(remote, 10, 0) == 4 * 10
    assert TimelineEntry.objects.filter(owner=alice).count() == 30


@pytest.mark.usefixtures("one_at_a_time")
def test_items_claimed_for_other_tasks_and_not_reached_are_queued_again(
    remote: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Their own tasks may have run while this batch held them, found nothing to claim and ended:
    # with two workers, such items once waited for recovery.
    monkeypatch.setattr(inbox_actions, "BATCH_SECONDS", 0.0)
    queued: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(inbox_actions, "enqueue_on_commit", lambda name, ids: queued.append((name, list(ids))))
    items = posts(remote, 3)
    assert set(do_process_inbox_items([items[0].pk], limit=3).values()) == {"processed"}
    assert queued == [
        ("federation.tasks.process_inbox_items", [items[1].pk, items[2].pk]),
        ("federation.tasks.process_inbox_items", [items[2].pk]),
    ]


@pytest.mark.usefixtures("one_at_a_time")
def test_an_own_item_not_reached_is_left_to_the_same_call(remote: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_actions, "BATCH_SECONDS", 0.0)
    queued: list[list[int]] = []
    monkeypatch.setattr(inbox_actions, "enqueue_on_commit", lambda name, ids: queued.append(list(ids)))
    items = posts(remote, 2)
    assert set(do_process_inbox_items([item.pk for item in items]).values()) == {"processed"}
    assert queued == []
