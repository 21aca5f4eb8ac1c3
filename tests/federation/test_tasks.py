"""Inbox tasks: recovery queues stored activities left unprocessed, in batches; the single-item task still works."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from federation import tasks
from federation.models import Actor, InboxItem
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
