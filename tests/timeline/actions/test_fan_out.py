"""Fan-out is idempotent and unfinished fan-outs are recovered."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from federation.models import Actor
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import BlockFactory, FollowFactory, MentionFactory, StatusFactory
from timeline.actions import fan_out
from timeline.actions.fan_out import do_fan_out_status, do_place_in_home_timelines, pending_fan_outs
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


@pytest.mark.django_db
def test_limited_status_reaches_silently_mentioned_followers_only(alice: Actor, bob: Actor) -> None:
    author = RemoteActorFactory.create()
    FollowFactory.create(follower=alice, target=author)
    FollowFactory.create(follower=LocalActorFactory.create(), target=author)
    status = StatusFactory.create(account=author, local=False, visibility=Visibility.LIMITED, fanned_out_at=None)
    MentionFactory.create(status=status, account=alice, silent=True)
    MentionFactory.create(status=status, account=bob, silent=True)
    do_fan_out_status(status.id)
    # Bob was given the status but follows no one; the other follower was not given it.
    assert list(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True)) == [alice.pk]


@pytest.mark.django_db
def test_placing_a_status_in_more_home_timelines_skips_those_that_have_it(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = RemoteActorFactory.create()
    for follower in (alice, bob):
        FollowFactory.create(follower=follower, target=author)
    status = StatusFactory.create(account=author, local=False, visibility=Visibility.LIMITED)
    TimelineEntry.objects.create(owner=alice, status=status)
    streamed: list[list[int]] = []
    monkeypatch.setattr(fan_out, "stream_home_updates_on_commit", lambda _status_id, owners: streamed.append(owners))
    assert do_place_in_home_timelines(status, [alice.pk, bob.pk]) == [bob.pk]
    assert streamed == [[bob.pk]]
    BlockFactory.create(account=bob, target=author)
    TimelineEntry.objects.filter(owner=bob).delete()
    assert do_place_in_home_timelines(status, [bob.pk]) == []
