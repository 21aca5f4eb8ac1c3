"""Federation tasks: recovery queues stored activities left unprocessed and deliveries due, each for its time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from federation import tasks
from federation.actions.deliveries import do_queue_activity
from federation.models import Actor, Delivery, InboxItem
from tests.factories.federation import RemoteActorFactory
from tests.federation.views.test_inbox import note_create

pytestmark = pytest.mark.django_db


def stored(actor: Actor, n: int, *, age: timedelta, **fields: object) -> InboxItem:
    activity = note_create(actor, note_id=f"{actor.uri}/statuses/{n}")
    item = InboxItem.objects.create(
        activity_id=activity["id"], activity_type="Create", actor_uri=actor.uri, body=activity, **fields
    )
    InboxItem.objects.filter(pk=item.pk).update(received_at=timezone.now() - age)
    return item


def test_recovery_queues_old_unprocessed_items_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    remote = RemoteActorFactory.create()
    stragglers = [stored(remote, n, age=timedelta(minutes=5)) for n in range(5)]
    stored(remote, 10, age=timedelta(seconds=5))
    stored(remote, 11, age=timedelta(minutes=5), state=InboxItem.State.PROCESSED)
    monkeypatch.setattr(tasks, "PROCESSING_BATCH", 2)
    with mock.patch("federation.tasks.process_inbox_items.delay") as delay:
        assert tasks.requeue_unprocessed_inbox_items(min_age_seconds=60) == 5
    ids = [item.pk for item in stragglers]
    assert [call.args for call in delay.call_args_list] == [(ids[0:2],), (ids[2:4],), (ids[4:5],)]


def test_recovered_items_are_processed_even_after_failed_attempts() -> None:
    remote = RemoteActorFactory.create()
    item = stored(remote, 1, age=timedelta(minutes=5), attempts=2)
    assert tasks.requeue_unprocessed_inbox_items(min_age_seconds=60) == 1
    item.refresh_from_db()
    assert item.state == InboxItem.State.PROCESSED


def test_the_single_item_task_queued_by_earlier_versions_still_processes_its_item() -> None:
    remote = RemoteActorFactory.create()
    item = stored(remote, 1, age=timedelta(seconds=0))
    other = stored(remote, 2, age=timedelta(seconds=0))
    assert tasks.process_inbox_item(item.pk) == InboxItem.State.PROCESSED
    assert tasks.process_inbox_item(item.pk) == "not pending"
    other.refresh_from_db()
    assert other.state == InboxItem.State.RECEIVED


def test_the_minutely_recovery_takes_items_ten_seconds_old_so_a_dead_workers_batch_is_redone_within_a_minute() -> None:
    remote = RemoteActorFactory.create()
    stranded = stored(remote, 1, age=timedelta(seconds=11))
    fresh = stored(remote, 2, age=timedelta(seconds=2))
    with mock.patch("federation.tasks.process_inbox_items.delay") as delay:
        assert tasks.requeue_unprocessed_inbox_items() == 1
    assert [call.args for call in delay.call_args_list] == [([stranded.pk],)]
    fresh.refresh_from_db()
    assert fresh.state == InboxItem.State.RECEIVED


def test_the_delivery_sweep_queues_rows_due_now_and_soon_for_their_time(
    alice: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    activity = {"id": f"{alice.uri}#sweep/1", "type": "Create", "actor": alice.uri, "object": "x"}
    do_queue_activity(
        alice, activity, ["https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox"]
    )
    now = timezone.now()
    Delivery.objects.filter(host="a.example").update(next_attempt_at=now)
    Delivery.objects.filter(host="b.example").update(next_attempt_at=now + timedelta(seconds=20))
    Delivery.objects.filter(host="c.example").update(next_attempt_at=now + timedelta(minutes=10))
    with mock.patch("config.queueing._publish") as publish, django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_due_deliveries() == 2
    assert {call.args[0] for call in publish.call_args_list} == {"federation.tasks.deliver_activities"}
    queued = {call.args[1][0][0]: (call.args[2] if len(call.args) > 2 else None) for call in publish.call_args_list}
    a, b = (Delivery.objects.get(host=host).pk for host in ("a.example", "b.example"))
    assert set(queued) == {a, b}
    assert queued[a] is None
    eta = queued[b]
    assert eta is not None
    assert timedelta(0) <= eta - (now + timedelta(seconds=20)) < timedelta(seconds=1)
