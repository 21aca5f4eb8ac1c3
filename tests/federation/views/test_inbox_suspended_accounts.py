"""A remote account suspended by a moderation action is refused at both inbox paths, with nothing stored."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.actions.inbox import do_process_inbox_items
from federation.models import Actor, InboxItem
from governance.actions.moderation import (
    check_reverse_moderation_action,
    check_take_moderation_action,
    do_reverse_moderation_action,
    do_take_moderation_action,
)
from governance.models import ModerationAction
from members.models import User
from tests.factories.federation import RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.federation.signing import signed_post
from tests.federation.views.test_inbox import note_create
from tests.federation.views.test_inbox_asgi import call, signed
from timeline.models import Status

pytestmark = pytest.mark.django_db(transaction=True)


def suspend(target: Actor) -> tuple[User, ModerationAction]:
    rule = adopt_rules("No spam.")[0]
    moderator = make_moderator()
    draft = check_take_moderation_action(
        moderator, kind="suspend", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    return moderator, do_take_moderation_action(moderator, draft)


def assert_nothing_stored() -> None:
    assert InboxItem.objects.count() == 0
    assert Status.objects.count() == 0


def test_django_inbox_refuses_a_suspended_account_and_accepts_its_neighbours() -> None:
    client = Client()
    carol = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    dave = RemoteActorFactory.create(username="dave", domain="mastodon.example")
    suspend(carol)
    for path in ("/inbox", "/actor/inbox"):
        response = signed_post(client, path, note_create(carol), actor=carol)
        assert response.status_code == 403
        assert "does not accept activities from your account" in response.json()["error"]
    assert_nothing_stored()
    # Only the account is suspended, not its domain.
    assert signed_post(client, "/inbox", note_create(dave), actor=dave).status_code == 202


def test_asgi_inbox_refuses_a_suspended_account_without_reaching_django(alice: Actor) -> None:
    carol = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    suspend(carol)
    for path in ("/inbox", "/users/alice/inbox"):
        body, headers = signed(path, note_create(carol), carol)
        django_app, status, answer = call(path, body, headers)
        assert status == 403
        assert b"does not accept activities from your account" in answer
        assert django_app.calls == []
    assert_nothing_stored()


def test_lifting_the_suspension_stops_the_refusal() -> None:
    client = Client()
    carol = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    moderator, action = suspend(carol)
    assert signed_post(client, "/inbox", note_create(carol), actor=carol).status_code == 403
    check_reverse_moderation_action(moderator, action)
    do_reverse_moderation_action(action, authority="Appeal granted")
    assert signed_post(client, "/inbox", note_create(carol), actor=carol).status_code == 202
    assert InboxItem.objects.count() == 1


def test_a_suspended_account_may_still_take_back_what_it_did() -> None:
    """As on Mastodon, Delete, Undo, Reject and Update still pass: the account can withdraw its content."""
    client = Client()
    carol = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    suspend(carol)
    delete = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{carol.uri}/statuses/1#delete",
        "type": "Delete",
        "actor": carol.uri,
        "object": f"{carol.uri}/statuses/1",
    }
    assert signed_post(client, "/inbox", delete, actor=carol).status_code == 202
    assert InboxItem.objects.filter(activity_type="Delete").count() == 1


def test_an_activity_accepted_before_the_suspension_is_ignored_when_processed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Client()
    carol = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    # Hold the item back, as a busy worker would, until the suspension has taken effect.
    monkeypatch.setattr("config.queueing._send", lambda *args, **kwargs: None)
    assert signed_post(client, "/inbox", note_create(carol), actor=carol).status_code == 202
    item = InboxItem.objects.get()
    suspend(carol)
    assert do_process_inbox_items([item.pk])[item.pk] == InboxItem.State.IGNORED
    item.refresh_from_db()
    assert "does not accept activities from your account" in item.error
    assert Status.objects.count() == 0
