"""Fan-out is idempotent and unfinished fan-outs are recovered."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from federation.models import Actor
from tests.factories.timeline import FollowFactory, MentionFactory, StatusFactory
from timeline.actions.fan_out import do_fan_out_status, pending_fan_outs
from timeline.models import TimelineEntry, Visibility
from timeline.tasks import requeue_pending_fan_outs


@pytest.mark.django_db
def test_fan_out_twice_writes_each_entry_once(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    status = StatusFactory.create(account=alice, fanned_out_at=None)
    assert do_fan_out_status(status.id) == 2
    assert do_fan_out_status(status.id) == 0
    assert TimelineEntry.objects.filter(status=status).count() == 2


@pytest.mark.django_db
def test_fan_out_resumes_after_a_partial_run(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    status = StatusFactory.create(account=alice, fanned_out_at=None)
    TimelineEntry.objects.create(owner=alice, status=status)
    assert do_fan_out_status(status.id) == 2
    assert TimelineEntry.objects.filter(status=status).count() == 2


@pytest.mark.django_db
def test_direct_status_reaches_mentioned_accounts_only(alice: Actor, bob: Actor) -> None:
    follower = FollowFactory.create(target=alice).follower
    status = StatusFactory.create(account=alice, visibility=Visibility.DIRECT, fanned_out_at=None)
    MentionFactory.create(status=status, account=bob)
    do_fan_out_status(status.id)
    owners = set(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True))
    assert owners == {alice.pk, bob.pk}
    assert follower.pk not in owners


@pytest.mark.django_db
def test_missing_status_is_ignored() -> None:
    assert do_fan_out_status(12345) == 0


@pytest.mark.django_db
def test_recovery_requeues_old_unfinished_fan_outs_only(alice: Actor) -> None:
    old = StatusFactory.create(account=alice, fanned_out_at=None, created_at=timezone.now() - timedelta(minutes=5))
    StatusFactory.create(account=alice, fanned_out_at=None)
    StatusFactory.create(account=alice, created_at=timezone.now() - timedelta(minutes=5))
    assert list(pending_fan_outs(timedelta(seconds=60))) == [old]
    with mock.patch("timeline.tasks.fan_out_status.delay") as delay:
        assert requeue_pending_fan_outs(min_age_seconds=60) == 1
    delay.assert_called_once_with(old.id)
