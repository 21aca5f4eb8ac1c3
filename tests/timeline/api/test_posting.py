"""Posting, editing and deleting statuses through the client API; refusals change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.entities import statuses as entities
from timeline.models import Poll, Status, Visibility
from timeline.streaming import events, relay

pytestmark = pytest.mark.django_db


def test_post_a_status_from_a_form(alice: Actor) -> None:
    response = Client().post(
        "/api/v1/statuses",
        {"status": "Hello #coop", "spoiler_text": "greeting", "visibility": "unlisted", "language": "en"},
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 200
    body = response.json()
    status = Status.objects.get()
    assert body["id"] == str(status.pk)
    assert body["visibility"] == "unlisted"
    assert body["spoiler_text"] == "greeting"
    assert body["sensitive"] is True
    assert [tag["name"] for tag in body["tags"]] == ["coop"]
    assert status.account == alice


def test_post_a_reply_with_a_poll_from_json(alice: Actor, bob: Actor) -> None:
    parent = StatusFactory.create(account=bob)
    payload = {
        "status": "Which?",
        "in_reply_to_id": str(parent.pk),
        "poll": {"options": ["tea", "coffee"], "expires_in": 3600, "multiple": True},
    }
    response = Client().post(
        "/api/v1/statuses",
        json.dumps(payload),
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["in_reply_to_id"] == str(parent.pk)
    assert body["in_reply_to_account_id"] == str(bob.pk)
    assert [option["title"] for option in body["poll"]["options"]] == ["tea", "coffee"]
    assert body["poll"]["multiple"] is True


def test_idempotency_key_returns_the_first_status(alice: Actor) -> None:
    headers = {**bearer_for(alice, "read write follow"), "Idempotency-Key": "abc-123"}
    first = Client().post("/api/v1/statuses", {"status": "Once"}, headers=headers).json()
    second = Client().post("/api/v1/statuses", {"status": "Once"}, headers=headers).json()
    assert first["id"] == second["id"]
    assert Status.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"status": ""}, "Text can't be blank."),
        ({"status": "x" * 501}, "Text is too long"),
        ({"status": "hi", "visibility": "everyone"}, "Visibility must be one of"),
        # Limited is read from other servers' addressing only, never chosen here.
        ({"status": "hi", "visibility": "limited"}, "Visibility must be one of"),
        ({"status": "hi", "in_reply_to_id": "123"}, "does not exist or is not visible"),
        ({"status": "hi", "poll[options][]": ["only one"], "poll[expires_in]": "3600"}, "between 2 and 4 options"),
        ({"status": "hi", "scheduled_at": "2020-01-01T00:00:00Z"}, "must be in the future"),
    ],
)
def test_refused_posts_store_nothing(alice: Actor, payload: dict[str, object], message: str) -> None:
    response = Client().post("/api/v1/statuses", payload, headers=bearer_for(alice, "read write follow"))
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not Status.objects.exists()
    assert not Poll.objects.exists()


def test_a_read_token_cannot_post(alice: Actor) -> None:
    response = Client().post("/api/v1/statuses", {"status": "hi"}, headers=bearer_for(alice, "read"))
    assert response.status_code == 403
    assert not Status.objects.exists()


def test_replying_to_an_invisible_status_is_refused(alice: Actor, bob: Actor) -> None:
    hidden = StatusFactory.create(account=bob, visibility=Visibility.DIRECT)
    response = Client().post(
        "/api/v1/statuses",
        {"status": "hi", "in_reply_to_id": str(hidden.pk)},
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 422
    assert Status.objects.count() == 1


def test_edit_own_status_and_read_its_source(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, text="First")
    body = (
        Client()
        .put(
            f"/api/v1/statuses/{status.pk}",
            json.dumps({"status": "Second", "spoiler_text": "cw"}),
            content_type="application/json",
            headers=bearer_for(alice, "read write follow"),
        )
        .json()
    )
    assert body["content"] == "<p>Second</p>"
    assert body["edited_at"] is not None
    source = Client().get(f"/api/v1/statuses/{status.pk}/source", headers=bearer_for(alice, "read write follow")).json()
    assert source == {"id": str(status.pk), "text": "Second", "spoiler_text": "cw"}


def test_others_cannot_edit_or_delete(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, text="Mine")
    edit = Client().put(
        f"/api/v1/statuses/{status.pk}",
        {"status": "Theirs"},
        content_type="application/json",
        headers=bearer_for(bob, "read write follow"),
    )
    assert edit.status_code == 403
    delete = Client().delete(f"/api/v1/statuses/{status.pk}", headers=bearer_for(bob, "read write follow"))
    assert delete.status_code == 403
    status.refresh_from_db()
    assert status.text == "Mine"
    assert (
        Client().get(f"/api/v1/statuses/{status.pk}/source", headers=bearer_for(bob, "read write follow")).status_code
        == 403
    )


def test_delete_returns_the_text_for_redrafting(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, text="Oops")
    response = Client().delete(f"/api/v1/statuses/{status.pk}", headers=bearer_for(alice, "read write follow"))
    assert response.status_code == 200
    assert response.json()["text"] == "Oops"
    assert not Status.objects.filter(pk=status.pk).exists()
    assert Client().get(f"/api/v1/statuses/{status.pk}").status_code == 404


def test_a_new_post_is_rendered_once_and_streamed_as_a_fresh_viewerless_render_would_be(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    headers = bearer_for(alice, "read write follow")
    root = StatusFactory.create(account=alice)
    # A thread the author muted: the author's entity says `muted`, the streamed one must not.
    assert Client().post(f"/api/v1/statuses/{root.pk}/mute", headers=headers).status_code == 200
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(relay, "groups_with_listeners", lambda groups: groups)
    monkeypatch.setattr(relay, "publish", lambda groups, message: published.append(message))
    # Home streams are sent by the fan-out, the worker's work; the public ones by the web process.
    monkeypatch.setattr(events, "_send_home", lambda placements: None)
    renders: list[Any] = []
    real_entities = entities.status_entities

    def counted(*args: Any, **kwargs: Any) -> Any:
        renders.append(args)
        return real_entities(*args, **kwargs)

    monkeypatch.setattr(events, "status_entities", counted)
    fields = {
        "status": "Which one, @bob? :none:",
        "spoiler_text": "a poll",
        "in_reply_to_id": str(root.pk),
        "poll[options][]": ["tea", "coffee"],
        "poll[expires_in]": "3600",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/api/v1/statuses", fields, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["muted"] is True
    assert body["poll"]["options"][1]["title"] == "coffee"
    assert renders == []
    [message] = [message for message in published if message["event"] == "update"]
    fresh = entities.status_entities([Status.objects.get(pk=body["id"])], None)[0]
    assert message["payload"] == json.dumps(fresh, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(message["payload"]) == {**body, "muted": False}
    # The offer lapsed with its commit: a later render is a render again.
    assert events._render(Status.objects.get(pk=body["id"])) == fresh
    assert len(renders) == 1
