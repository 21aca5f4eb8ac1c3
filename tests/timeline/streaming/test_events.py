"""Stream events: nothing is rendered for statuses that no open stream would receive; limited ones stay private."""

from __future__ import annotations

import json
from typing import Any

import pytest

from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, MentionFactory, StatusFactory
from tests.timeline.streaming.conftest import post
from timeline.models import Tag, Visibility
from timeline.streaming import events, relay

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
