"""GET /api/v1/statuses/:id and its context: each visibility shown only to those who may see it."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FollowFactory, MentionFactory, StatusFactory
from timeline.models import Visibility

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("visibility", "audience"),
    [
        (Visibility.PUBLIC, {"anonymous", "stranger", "follower", "mentioned", "author"}),
        (Visibility.UNLISTED, {"anonymous", "stranger", "follower", "mentioned", "author"}),
        (Visibility.PRIVATE, {"follower", "mentioned", "author"}),
        (Visibility.DIRECT, {"mentioned", "author"}),
    ],
)
def test_each_visibility_reaches_only_its_audience(alice: Actor, visibility: Visibility, audience: set[str]) -> None:
    status = StatusFactory.create(account=alice, visibility=visibility)
    fan = LocalActorFactory.create()
    FollowFactory.create(follower=fan, target=alice)
    friend = LocalActorFactory.create()
    MentionFactory.create(status=status, account=friend)
    url = f"/api/v1/statuses/{status.pk}"
    viewers = {
        "anonymous": {},
        "stranger": bearer_for(LocalActorFactory.create(), "read"),
        "follower": bearer_for(fan, "read"),
        "mentioned": bearer_for(friend, "read"),
        "author": bearer_for(alice, "read"),
    }
    for name, headers in viewers.items():
        response = Client().get(url, headers=headers)
        assert (response.status_code == 200) is (name in audience), name
        if name not in audience:
            assert response.json() == {"error": "Record not found"}


def test_status_entity_shape(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, spoiler_text="cw", sensitive=True, language="en")
    body = Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer_for(bob, "read")).json()
    assert body["id"] == str(status.pk)
    assert body["account"]["id"] == str(alice.pk)
    assert body["content"] == status.content
    assert body["spoiler_text"] == "cw"
    assert body["sensitive"] is True
    assert body["language"] == "en"
    assert body["visibility"] == "public"
    assert body["reblog"] is None
    assert body["favourited"] is False
    assert body["created_at"].endswith("Z")


def test_unknown_and_malformed_ids_are_not_found() -> None:
    assert Client().get("/api/v1/statuses/123").status_code == 404
    assert Client().get("/api/v1/statuses/abc").json() == {"error": "Record not found"}


def test_context_lists_only_visible_ancestors_and_descendants(alice: Actor, bob: Actor) -> None:
    root = StatusFactory.create(account=alice)
    middle = StatusFactory.create(account=bob, in_reply_to=root)
    hidden = StatusFactory.create(account=bob, in_reply_to=middle, visibility=Visibility.DIRECT)
    reply = StatusFactory.create(account=alice, in_reply_to=middle)
    body = Client().get(f"/api/v1/statuses/{middle.pk}/context").json()
    assert [status["id"] for status in body["ancestors"]] == [str(root.pk)]
    assert [status["id"] for status in body["descendants"]] == [str(reply.pk)]
    own = Client().get(f"/api/v1/statuses/{middle.pk}/context", headers=bearer_for(bob, "read")).json()
    assert [status["id"] for status in own["descendants"]] == [str(hidden.pk), str(reply.pk)]
