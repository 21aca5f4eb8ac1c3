"""Stream events: nothing is rendered for statuses that no open stream would receive; limited ones stay private."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import pytest
from django.db import transaction

from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, MentionFactory, StatusFactory
from tests.timeline.streaming.conftest import post
from timeline.models import Tag, Visibility
from timeline.streaming import events, relay
from timeline.streaming.streams import hashtag_group, public_group, user_group

pytestmark = pytest.mark.django_db


def test_a_status_nobody_streams_is_never_rendered(alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    FollowFactory.create(follower=bob, target=alice)
    asked: list[list[str]] = []
    sent: list[list[str]] = []

    def nobody_listens(groups: list[str]) -> list[str]:
        asked.append(groups)
        return []

    def must_not_render(status: Any) -> Any:
        raise AssertionError("rendered a status that no stream would receive")

    def must_not_read_exclusions(authors: Any) -> Any:
        raise AssertionError("read who must not receive a status that no stream would receive")

    def record_send(groups: list[str], message: dict[str, Any]) -> None:
        sent.append(groups)

    monkeypatch.setattr(relay, "groups_with_listeners", nobody_listens)
    monkeypatch.setattr(relay, "publish", record_send)
    monkeypatch.setattr(events, "_render", must_not_render)
    monkeypatch.setattr(events, "excluded_viewers", must_not_read_exclusions)
    monkeypatch.setattr(events, "public_groups", must_not_read_exclusions)
    status = post(alice, "into the void")
    events._send_created([status.pk])
    events._send_home([(status.pk, [alice.pk, bob.pk])])
    assert any(group.startswith("timeline.public") for groups in asked for group in groups)
    assert sorted(group for groups in asked for group in groups if group.startswith("timeline.user")) == sorted(
        [f"timeline.user.{alice.pk}", f"timeline.user.{bob.pk}"]
    )
    assert sent == []


def test_a_limited_status_reaches_home_streams_as_private_and_never_public_ones(
    alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = RemoteActorFactory.create()
    status = StatusFactory.create(account=author, local=False, visibility=Visibility.LIMITED)
    status.tags.add(Tag.objects.create(name="cows"))
    MentionFactory.create(status=status, account=alice, silent=True)
    sent: list[tuple[list[str], dict[str, Any]]] = []

    def record_send(groups: list[str], message: dict[str, Any]) -> None:
        sent.append((groups, message))

    monkeypatch.setattr(relay, "groups_with_listeners", lambda groups: groups)
    monkeypatch.setattr(relay, "publish", record_send)
    assert events.public_groups(status) == []
    events._send_created([status.pk])
    events._send_home([(status.pk, [alice.pk])])
    [(groups, message)] = sent
    assert groups == [f"timeline.user.{alice.pk}"]
    assert message["event"] == "update"
    payload = json.loads(message["payload"])
    assert (payload["visibility"], payload["mentions"]) == ("private", [])


Sent = dict[str, list[list[Any]]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Record what each kind of new-status event is sent with, instead of sending it."""
    calls: Sent = {"created": [], "home": []}
    monkeypatch.setattr(events, "_send_created", lambda ids: calls["created"].append(list(ids)))
    monkeypatch.setattr(events, "_send_home", lambda placements: calls["home"].append(list(placements)))
    return calls


def committed(status_id: int, owner_ids: list[int]) -> None:
    """Ask for a status's new-status events in a transaction of its own, as an action does, and commit."""
    with transaction.atomic():
        events.stream_status_created_on_commit(status_id)
        events.stream_home_updates_on_commit(status_id, owner_ids)


@pytest.mark.django_db(transaction=True)
def test_a_batch_sends_what_committed_in_it_together_when_it_ends(alice: Actor, bob: Actor, sent: Sent) -> None:
    first, second = StatusFactory.create_batch(2, account=alice)
    with events.events_batched():
        committed(first.pk, [alice.pk, bob.pk])
        committed(second.pk, [bob.pk])
        assert sent == {"created": [], "home": []}
    assert sent == {
        "created": [[first.pk, second.pk]],
        "home": [[(first.pk, [alice.pk, bob.pk]), (second.pk, [bob.pk])]],
    }


@pytest.mark.django_db(transaction=True)
def test_a_batch_sends_the_events_of_statuses_posted_through_the_action(alice: Actor, bob: Actor, sent: Sent) -> None:
    FollowFactory.create(follower=bob, target=alice)
    with events.events_batched():
        first = post(alice, "one")
        second = post(alice, "two")
        assert sent == {"created": [], "home": []}
    assert sent["created"] == [[first.pk, second.pk]]
    [placements] = sent["home"]
    assert [status_id for status_id, _ in placements] == [first.pk, second.pk]
    assert all(bob.pk in owners for _, owners in placements)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_sends_nothing_of_its_own(alice: Actor, bob: Actor, sent: Sent) -> None:
    kept, dropped = StatusFactory.create_batch(2, account=alice)
    with events.events_batched():
        with transaction.atomic():
            events.stream_status_created_on_commit(kept.pk)
            with contextlib.suppress(RuntimeError), transaction.atomic():
                events.stream_status_created_on_commit(dropped.pk)
                events.stream_home_updates_on_commit(dropped.pk, [bob.pk])
                raise RuntimeError("the handler failed")
            events.stream_home_updates_on_commit(kept.pk, [bob.pk])
        with contextlib.suppress(RuntimeError), transaction.atomic():
            events.stream_status_created_on_commit(dropped.pk)
            raise RuntimeError("the whole transaction failed")
    assert sent == {"created": [[kept.pk]], "home": [[(kept.pk, [bob.pk])]]}


@pytest.mark.django_db(transaction=True)
def test_a_batch_where_nothing_committed_sends_nothing(alice: Actor, sent: Sent) -> None:
    status = StatusFactory.create(account=alice)
    with events.events_batched(), contextlib.suppress(RuntimeError), transaction.atomic():
        committed(status.pk, [alice.pk])
        raise RuntimeError("rolled back")
    assert sent == {"created": [], "home": []}


@pytest.mark.django_db(transaction=True)
def test_without_a_batch_each_commit_sends_at_once(alice: Actor, bob: Actor, sent: Sent) -> None:
    first, second, third = StatusFactory.create_batch(3, account=alice)
    with transaction.atomic():
        events.stream_status_created_on_commit(first.pk)
        events.stream_home_updates_on_commit(first.pk, [bob.pk])
        assert sent == {"created": [], "home": []}
    assert sent == {"created": [[first.pk]], "home": [[(first.pk, [bob.pk])]]}
    committed(second.pk, [alice.pk])
    # Outside any transaction the hook runs when registered.
    events.stream_status_created_on_commit(third.pk)
    assert sent == {
        "created": [[first.pk], [second.pk], [third.pk]],
        "home": [[(first.pk, [bob.pk])], [(second.pk, [alice.pk])]],
    }


@pytest.mark.django_db(transaction=True)
def test_nested_batches_send_once_when_the_outermost_ends(alice: Actor, sent: Sent) -> None:
    first, second, third = StatusFactory.create_batch(3, account=alice)
    with events.events_batched():
        committed(first.pk, [alice.pk])
        with events.events_batched():
            committed(second.pk, [alice.pk])
        assert sent == {"created": [], "home": []}
        committed(third.pk, [alice.pk])
    assert sent == {
        "created": [[first.pk, second.pk, third.pk]],
        "home": [[(first.pk, [alice.pk]), (second.pk, [alice.pk]), (third.pk, [alice.pk])]],
    }
    # The batch is over: the next commit sends at once.
    committed(first.pk, [alice.pk])
    assert sent["created"][-1] == [first.pk]


@pytest.mark.django_db(transaction=True)
def test_a_failing_send_is_logged_and_the_other_kind_still_goes(
    alice: Actor, sent: Sent, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(status_ids: list[int]) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(events, "_send_created", unreachable)
    status = StatusFactory.create(account=alice)
    with caplog.at_level(logging.ERROR, logger=events.__name__), events.events_batched():
        committed(status.pk, [alice.pk])
    assert sent["home"] == [[(status.pk, [alice.pk])]]
    [record] = [record for record in caplog.records if record.name == events.__name__]
    assert record.getMessage() == "sending created streaming events failed"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ConnectionError)


@pytest.mark.django_db(transaction=True)
def test_what_committed_before_an_error_in_the_batch_is_still_sent(alice: Actor, sent: Sent) -> None:
    status = StatusFactory.create(account=alice)
    with pytest.raises(ValueError, match="later work"), events.events_batched():
        committed(status.pk, [alice.pk])
        raise ValueError("later work failed")
    assert sent == {"created": [[status.pk]], "home": [[(status.pk, [alice.pk])]]}


def listeners_asked(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record the groups each question about listeners names; nobody listens, and nothing may be published."""
    asked: list[list[str]] = []

    def nobody_listens(groups: list[str]) -> list[str]:
        asked.append(list(groups))
        return []

    def must_not_publish(groups: list[str], message: dict[str, Any]) -> None:
        raise AssertionError(f"published to {groups}, which nobody listens to")

    monkeypatch.setattr(relay, "groups_with_listeners", nobody_listens)
    monkeypatch.setattr(relay, "publish", must_not_publish)
    return asked


def test_several_statuses_ask_about_listeners_once_per_kind(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = listeners_asked(monkeypatch)
    statuses = [post(alice, f"about #{tag}") for tag in ("cows", "goats", "sheep")]
    asked.clear()
    events._send_created([status.pk for status in statuses])
    [public] = asked
    for tag in ("cows", "goats", "sheep"):
        assert {hashtag_group(tag, local=False), hashtag_group(tag, local=True)} <= set(public)
    assert public_group("public:local") in public
    events._send_home([(statuses[0].pk, [alice.pk, bob.pk]), (statuses[1].pk, [bob.pk]), (statuses[2].pk, [alice.pk])])
    [_, home] = asked
    assert {user_group(alice.pk), user_group(bob.pk)} <= set(home)


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_posts_asks_about_listeners_once_per_kind(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    FollowFactory.create(follower=bob, target=alice)
    asked = listeners_asked(monkeypatch)
    with events.events_batched():
        for tag in ("cows", "goats", "sheep"):
            post(alice, f"about #{tag}")
        assert asked == []
    [public, home] = asked
    assert {hashtag_group(tag, local=False) for tag in ("cows", "goats", "sheep")} <= set(public)
    assert user_group(bob.pk) in home


def test_a_batch_sends_only_the_statuses_some_stream_listens_for(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = [post(alice, f"about #{tag}") for tag in ("cows", "goats")]
    sent: list[tuple[list[str], dict[str, Any]]] = []

    def record_send(groups: list[str], message: dict[str, Any]) -> None:
        sent.append((groups, message))

    listening = [hashtag_group("goats", local=False), user_group(bob.pk)]
    monkeypatch.setattr(relay, "groups_with_listeners", lambda groups: [g for g in groups if g in listening])
    monkeypatch.setattr(relay, "publish", record_send)
    events._send_created([status.pk for status in statuses])
    events._send_home([(status.pk, [alice.pk, bob.pk]) for status in statuses])
    assert [(groups, json.loads(message["payload"])["id"]) for groups, message in sent] == [
        ([hashtag_group("goats", local=False)], str(statuses[1].pk)),
        ([user_group(bob.pk)], str(statuses[0].pk)),
        ([user_group(bob.pk)], str(statuses[1].pk)),
    ]


def test_a_status_placed_twice_in_a_batch_reaches_each_placements_owners(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given to alice, then later in the same batch to bob (another personal inbox it reached).
    status = post(alice, "twice placed")
    sent: list[list[str]] = []
    monkeypatch.setattr(relay, "groups_with_listeners", lambda groups: [g for g in groups if g == user_group(alice.pk)])
    monkeypatch.setattr(relay, "publish", lambda groups, message: sent.append(groups))
    events._send_home([(status.pk, [alice.pk]), (status.pk, [bob.pk])])
    assert sent == [[user_group(alice.pk)]]
