"""Fan-out is idempotent and unfinished fan-outs are recovered."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import Actor
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import BlockFactory, FollowFactory, MentionFactory, StatusFactory
from timeline.actions import fan_out
from timeline.actions.fan_out import (
    do_fan_out_status,
    do_fan_out_statuses,
    do_place_in_home_timelines,
    fan_out_on_commit,
    fan_outs_collected,
    pending_fan_outs,
)
from timeline.actions.interactions import do_reblog, do_unreblog
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Status, Tag, TagFollow, TimelineEntry, Visibility
from timeline.selectors import home_timeline_for
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
def test_recovery_by_default_takes_fan_outs_a_quarter_minute_old(alice: Actor) -> None:
    """Beat's minute plus this age bounds how late a status whose task was lost reaches timelines."""
    lost = StatusFactory.create(account=alice, fanned_out_at=None, created_at=timezone.now() - timedelta(seconds=20))
    StatusFactory.create(account=alice, fanned_out_at=None, created_at=timezone.now() - timedelta(seconds=5))
    with mock.patch("timeline.tasks.fan_out_status.delay") as delay:
        assert requeue_pending_fan_outs() == 1
    delay.assert_called_once_with(lost.id)


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


def _owners(status: Status) -> set[int]:
    return set(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True))


def _varied_statuses(count: int, *, direct: bool = True) -> list[Status]:
    """Return unfanned statuses by several authors: public, direct with a mention, blocked by a follower."""
    statuses = []
    for n in range(count):
        author = LocalActorFactory.create()
        follower = FollowFactory.create(target=author).follower
        visibility = Visibility.DIRECT if direct and n % 3 == 1 else Visibility.PUBLIC
        status = StatusFactory.create(account=author, visibility=visibility, fanned_out_at=None)
        MentionFactory.create(status=status)
        if n % 3 == 2:
            BlockFactory.create(account=follower, target=author)
        statuses.append(status)
    return statuses


@pytest.mark.django_db
def test_statuses_fanned_out_together_reach_the_audiences_each_would_alone() -> None:
    statuses = _varied_statuses(3)
    expected = {status.pk: fan_out.local_audience_ids(status) for status in statuses}
    assert do_fan_out_statuses([status.pk for status in statuses] + [12345]) == sum(map(len, expected.values()))
    assert {status.pk: _owners(status) for status in statuses} == expected
    assert not Status.objects.filter(pk__in=expected, fanned_out_at__isnull=True).exists()
    assert do_fan_out_statuses(list(expected)) == 0


@pytest.mark.django_db
def test_fanning_out_more_statuses_together_takes_no_more_queries() -> None:
    # Direct statuses also file conversations, one status at a time.
    few, many = _varied_statuses(3, direct=False), _varied_statuses(9, direct=False)
    with CaptureQueriesContext(connection) as for_few:
        do_fan_out_statuses([status.pk for status in few])
    with CaptureQueriesContext(connection) as for_many:
        do_fan_out_statuses([status.pk for status in many])
    assert len(for_many) == len(for_few)


@pytest.mark.django_db
def test_statuses_beyond_the_entry_budget_are_left_to_the_fan_out_task(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[tuple[str, tuple[object, ...]]] = []
    monkeypatch.setattr(fan_out, "enqueue_on_commit", lambda name, *args: queued.append((name, args)))
    FollowFactory.create(follower=bob, target=alice)
    first, second = (StatusFactory.create(account=alice, fanned_out_at=None) for _ in range(2))
    assert do_fan_out_statuses([first.pk, second.pk], max_entries=3) == 2
    assert _owners(first) == {alice.pk, bob.pk}
    assert _owners(second) == set()
    assert queued == [("timeline.tasks.fan_out_status", (second.pk,))]
    second.refresh_from_db()
    assert second.fanned_out_at is None


@pytest.mark.django_db
def test_fan_outs_asked_for_inside_a_collecting_block_are_handed_to_its_owner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[tuple[object, ...]] = []
    monkeypatch.setattr(fan_out, "enqueue_on_commit", lambda name, *args: queued.append(args))
    with fan_outs_collected() as collected:
        fan_out_on_commit(1)
        with fan_outs_collected() as inner:
            fan_out_on_commit(2)
        fan_out_on_commit(3)
    fan_out_on_commit(4)
    assert (collected, inner, queued) == ([1, 3], [2], [(4,)])


@pytest.mark.django_db
def test_a_new_post_and_boost_are_in_their_authors_home_before_the_fan_out_runs(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    status = do_create_status(alice, check_create_status(alice, text="Straight into my home"))
    assert list(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True)) == [alice.pk]
    assert home_timeline_for(alice)[0] == status
    do_fan_out_status(status.id)
    assert sorted(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True)) == sorted(
        [alice.pk, bob.pk]
    )
    carol = LocalActorFactory.create()
    other = do_create_status(carol, check_create_status(carol, text="Not in bob's home"))
    boost = do_reblog(bob, other)
    assert home_timeline_for(bob)[0] == boost


@pytest.mark.django_db
def test_a_public_status_reaches_the_homes_of_its_hashtags_followers(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    blocked_by_author = LocalActorFactory.create()
    blocking_author = LocalActorFactory.create()
    remote = RemoteActorFactory.create()
    tag = Tag.objects.create(name="harvest")
    for follower in (bob, carol, blocked_by_author, blocking_author, remote):
        TagFollow.objects.create(account=follower, tag=tag)
    BlockFactory.create(account=alice, target=blocked_by_author)
    BlockFactory.create(account=blocking_author, target=alice)
    public = StatusFactory.create(account=alice, fanned_out_at=None)
    unlisted = StatusFactory.create(account=alice, fanned_out_at=None, visibility=Visibility.UNLISTED)
    public.tags.add(tag)
    unlisted.tags.add(tag)
    do_fan_out_statuses([public.id, unlisted.id])
    assert set(TimelineEntry.objects.filter(status=public).values_list("owner_id", flat=True)) == {
        alice.pk,
        bob.pk,
        carol.pk,
    }
    # Unlisted statuses stay out of hashtag timelines, and so out of hashtag followers' homes, as on Mastodon.
    assert set(TimelineEntry.objects.filter(status=unlisted).values_list("owner_id", flat=True)) == {alice.pk}


@pytest.mark.django_db
def test_a_remote_status_reaches_the_homes_of_its_hashtags_followers(bob: Actor) -> None:
    tag = Tag.objects.create(name="harvest")
    TagFollow.objects.create(account=bob, tag=tag)
    status = StatusFactory.create(account=RemoteActorFactory.create(), local=False, fanned_out_at=None)
    status.tags.add(tag)
    do_fan_out_status(status.id)
    assert list(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True)) == [bob.pk]


@pytest.mark.django_db
def test_a_restricted_author_reaches_no_hashtag_follower(alice: Actor, bob: Actor) -> None:
    tag = Tag.objects.create(name="harvest")
    TagFollow.objects.create(account=bob, tag=tag)
    restrict_account(alice, "limit")
    status = StatusFactory.create(account=alice, fanned_out_at=None)
    status.tags.add(tag)
    do_fan_out_status(status.id)
    assert not TimelineEntry.objects.filter(status=status, owner=bob).exists()


def _fanned_out_post(author: Actor, text: str = "A post") -> Status:
    status = do_create_status(author, check_create_status(author, text=text))
    do_fan_out_status(status.id)
    return status


def _fanned_out_boost(booster: Actor, status: Status) -> Status:
    boost = do_reblog(booster, status)
    do_fan_out_status(boost.id)
    return boost


@pytest.mark.django_db
def test_a_boost_of_ones_own_recent_post_stays_out_of_ones_home(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob)
    carol = FollowFactory.create(target=bob).follower
    post = _fanned_out_post(alice)
    boost = _fanned_out_boost(bob, post)
    assert home_timeline_for(alice) == [post]
    assert _owners(boost) == {bob.pk, carol.pk}


@pytest.mark.django_db
def test_a_boost_of_a_post_near_the_top_of_a_home_is_not_added_to_it(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    for target in (alice, bob):
        FollowFactory.create(follower=carol, target=target)
    post = _fanned_out_post(alice)
    _fanned_out_boost(bob, post)
    assert home_timeline_for(carol) == [post]


@pytest.mark.django_db
def test_a_booster_does_not_find_their_boost_of_a_post_near_the_top_of_their_home(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    post = _fanned_out_post(alice)
    boost = do_reblog(bob, post)
    assert home_timeline_for(bob) == [post]
    do_fan_out_status(boost.id)
    assert home_timeline_for(bob) == [post]


@pytest.mark.django_db
def test_a_second_boost_of_a_post_near_the_top_of_a_home_is_not_added_to_it(alice: Actor, bob: Actor) -> None:
    carol, dave = LocalActorFactory.create(), LocalActorFactory.create()
    for target in (bob, dave):
        FollowFactory.create(follower=carol, target=target)
    post = _fanned_out_post(alice)
    first = _fanned_out_boost(bob, post)
    _fanned_out_boost(dave, post)
    assert home_timeline_for(carol) == [first]


@pytest.mark.django_db
def test_of_two_boosts_of_a_post_fanned_out_together_a_home_gets_the_first(alice: Actor, bob: Actor) -> None:
    carol, dave = LocalActorFactory.create(), LocalActorFactory.create()
    for target in (bob, dave):
        FollowFactory.create(follower=carol, target=target)
    post = _fanned_out_post(alice)
    first, second = do_reblog(bob, post), do_reblog(dave, post)
    assert do_fan_out_statuses([second.id, first.id]) == 3
    assert home_timeline_for(carol) == [first]
    assert _owners(second) == {dave.pk}


@pytest.mark.django_db
def test_a_post_arriving_after_a_boost_of_it_near_the_top_of_a_home_is_not_added_to_it(bob: Actor) -> None:
    author = RemoteActorFactory.create()
    carol = LocalActorFactory.create()
    for target in (author, bob):
        FollowFactory.create(follower=carol, target=target)
    post = StatusFactory.create(account=author, local=False, fanned_out_at=None)
    boost = _fanned_out_boost(bob, post)
    do_fan_out_status(post.id)
    assert home_timeline_for(carol) == [boost]
    assert carol.pk not in _owners(post)


def _push_down(owner: Actor, entries: int) -> None:
    """Put that many newer statuses at the top of the owner's home timeline."""
    newer = [StatusFactory.create() for _ in range(entries)]
    TimelineEntry.objects.bulk_create([TimelineEntry(owner=owner, status=status) for status in newer])


@pytest.mark.django_db
@pytest.mark.parametrize(("newer", "added"), [(fan_out.RECENT_ENTRIES - 1, False), (fan_out.RECENT_ENTRIES, True)])
def test_a_boost_of_a_post_pushed_down_a_home_by_enough_newer_entries_is_added(
    alice: Actor, bob: Actor, newer: int, added: bool
) -> None:
    carol = LocalActorFactory.create()
    for target in (alice, bob):
        FollowFactory.create(follower=carol, target=target)
    post = _fanned_out_post(alice)
    _push_down(carol, newer)
    boost = _fanned_out_boost(bob, post)
    assert (carol.pk in _owners(boost)) is added
    assert (home_timeline_for(carol, limit=1) == [boost]) is added


@pytest.mark.django_db
def test_a_boost_of_a_post_whose_shown_boost_was_withdrawn_is_added(alice: Actor, bob: Actor) -> None:
    carol, dave = LocalActorFactory.create(), LocalActorFactory.create()
    for target in (bob, dave):
        FollowFactory.create(follower=carol, target=target)
    post = _fanned_out_post(alice)
    _fanned_out_boost(bob, post)
    do_unreblog(bob, post)
    second = _fanned_out_boost(dave, post)
    assert home_timeline_for(carol) == [second]


@pytest.mark.django_db
def test_looking_for_boosts_shown_takes_one_query_whatever_the_number_of_boosts(alice: Actor) -> None:
    def boosts_to_fan_out(count: int) -> list[int]:
        follower = LocalActorFactory.create()
        ids = []
        for _ in range(count):
            booster = LocalActorFactory.create()
            FollowFactory.create(follower=follower, target=booster)
            ids.append(do_reblog(booster, _fanned_out_post(alice)).id)
        return ids

    few, many = boosts_to_fan_out(2), boosts_to_fan_out(6)
    with CaptureQueriesContext(connection) as for_few:
        do_fan_out_statuses(few)
    with CaptureQueriesContext(connection) as for_many:
        do_fan_out_statuses(many)
    assert len(for_many) == len(for_few)
