"""A moderator's removal is the status's deletion: federated for a local status, streamed either way."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from federation.models import Delivery, Tombstone
from governance.actions.moderation import (
    check_reverse_moderation_action,
    check_take_moderation_action,
    do_reverse_moderation_action,
    do_take_moderation_action,
)
from governance.models import LogEntry, ModerationAction, RuleVersion
from members.models import User
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.models import Status
from timeline.streaming import events

pytestmark = pytest.mark.django_db

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
Sent = list[tuple[list[str], dict[str, Any]]]


@pytest.fixture
def rule() -> RuleVersion:
    return adopt_rules("No harassment.")[0]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Record the events streamed to clients instead of sending them."""
    messages: Sent = []

    def record(groups: list[str], message: dict[str, Any] | Callable[[], dict[str, Any]]) -> None:
        messages.append((list(groups), message() if callable(message) else message))

    monkeypatch.setattr(events, "send_event", record)
    return messages


def act(moderator: User, kind: str, rule: RuleVersion, status: Status) -> ModerationAction:
    draft = check_take_moderation_action(moderator, kind=kind, rule_version_ids=[rule.pk], target_status_id=status.pk)
    return do_take_moderation_action(moderator, draft)


def test_removing_a_local_status_sends_delete_to_followers_servers_and_streams_it(
    rule: RuleVersion, sent: Sent, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    moderator = make_moderator()
    author = LocalActorFactory.create()
    follower = FollowFactory.create(follower=RemoteActorFactory.create(), target=author).follower
    status = StatusFactory.create(account=author)
    with django_capture_on_commit_callbacks(execute=True):
        action = act(moderator, "remove_status", rule, status)
    assert not Status.objects.filter(pk=status.pk).exists()
    assert Tombstone.objects.filter(uri=status.uri).exists()
    delivery = Delivery.objects.select_related("activity").get()
    assert delivery.inbox == follower.shared_inbox_uri
    assert delivery.activity.activity_type == "Delete"
    assert delivery.activity.body["object"]["id"] == status.uri
    assert ([message["payload"] for _, message in sent if message["event"] == "delete"]) == [str(status.pk)]
    # The action keeps its citation and its log entry.
    assert action.authority == f"Rule {rule.rule.position} v{rule.version}"
    # The public entry names a local author by pseudonym only, without the post's id.
    entry = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_ACTION)
    assert (entry.data["action"], entry.data["target_status"]) == (action.pk, None)
    assert entry.data["subject"].startswith("member #")


def test_removing_a_remote_status_removes_it_here_without_sending_delete(
    rule: RuleVersion, sent: Sent, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    moderator = make_moderator()
    author = RemoteActorFactory.create()
    FollowFactory.create(follower=LocalActorFactory.create(), target=author)
    FollowFactory.create(follower=RemoteActorFactory.create(domain="other.example"), target=author)
    status = StatusFactory.create(account=author, uri=f"{author.uri}/statuses/1", url=f"{author.url}/1", local=False)
    with django_capture_on_commit_callbacks(execute=True):
        act(moderator, "remove_status", rule, status)
    assert not Status.objects.filter(pk=status.pk).exists()
    assert Tombstone.objects.filter(uri=status.uri).exists()
    assert not Delivery.objects.exists()
    assert [message["payload"] for _, message in sent if message["event"] == "delete"] == [str(status.pk)]


def test_marking_a_local_status_sensitive_sends_update_and_reversal_clears_it(
    rule: RuleVersion, sent: Sent, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    moderator = make_moderator()
    author = LocalActorFactory.create()
    FollowFactory.create(follower=RemoteActorFactory.create(), target=author)
    status = StatusFactory.create(account=author)
    with django_capture_on_commit_callbacks(execute=True):
        action = act(moderator, "sensitive", rule, status)
    status.refresh_from_db()
    assert status.sensitive
    update = Delivery.objects.select_related("activity").get().activity
    assert (update.activity_type, update.body["object"]["sensitive"]) == ("Update", True)
    assert [message["event"] for _, message in sent] == ["status.update"]
    check_reverse_moderation_action(moderator, action)
    do_reverse_moderation_action(action, authority="Moderator's correction")
    assert not Status.objects.get(pk=status.pk).sensitive
    assert Delivery.objects.count() == 2
