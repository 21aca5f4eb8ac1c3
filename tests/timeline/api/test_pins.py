"""Pins through the client API: own public statuses only, at most five, listed on the profile and federated."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor, OutboundActivity
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.actions.pins import MAX_PINNED_STATUSES
from timeline.models import Status, Visibility

pytestmark = pytest.mark.django_db


def test_pin_and_unpin_show_on_the_profile(alice: Actor, bob: Actor) -> None:
    older = StatusFactory.create(account=alice)
    StatusFactory.create(account=alice)
    body = Client().post(f"/api/v1/statuses/{older.pk}/pin", headers=bearer_for(alice)).json()
    assert body["pinned"] is True
    pinned = Client().get(f"/api/v1/accounts/{alice.pk}/statuses?pinned=true", headers=bearer_for(bob)).json()
    assert [item["id"] for item in pinned] == [str(older.pk)]
    featured = Client().get(
        f"/users/{alice.username}/collections/featured", headers={"Accept": "application/activity+json"}
    )
    assert featured.status_code == 200
    assert [item["id"] for item in featured.json()["orderedItems"]] == [older.uri]
    body = Client().post(f"/api/v1/statuses/{older.pk}/unpin", headers=bearer_for(alice)).json()
    assert body["pinned"] is False
    assert Client().get(f"/api/v1/accounts/{alice.pk}/statuses?pinned=true").json() == []


def test_pins_are_sent_to_remote_followers_as_add_and_remove(alice: Actor) -> None:
    follower = RemoteActorFactory.create()
    FollowFactory.create(follower=follower, target=alice)
    status = StatusFactory.create(account=alice)
    Client().post(f"/api/v1/statuses/{status.pk}/pin", headers=bearer_for(alice))
    Client().post(f"/api/v1/statuses/{status.pk}/unpin", headers=bearer_for(alice))
    activities = list(OutboundActivity.objects.order_by("pk"))
    assert [activity.activity_type for activity in activities] == ["Add", "Remove"]
    assert activities[0].body["target"] == alice.featured_uri
    assert activities[0].body["object"] == status.uri


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.DIRECT])
def test_only_public_statuses_can_be_pinned(alice: Actor, visibility: str) -> None:
    status = StatusFactory.create(account=alice, visibility=visibility)
    response = Client().post(f"/api/v1/statuses/{status.pk}/pin", headers=bearer_for(alice))
    assert response.status_code == 422
    assert not Status.objects.filter(pinned_at__isnull=False).exists()


def test_others_statuses_cannot_be_pinned(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    response = Client().post(f"/api/v1/statuses/{status.pk}/pin", headers=bearer_for(bob))
    assert response.status_code == 422
    assert "your own" in response.json()["error"]
    assert not Status.objects.filter(pinned_at__isnull=False).exists()


def test_at_most_five_pins(alice: Actor) -> None:
    statuses = [StatusFactory.create(account=alice) for _ in range(MAX_PINNED_STATUSES + 1)]
    for status in statuses[:MAX_PINNED_STATUSES]:
        assert Client().post(f"/api/v1/statuses/{status.pk}/pin", headers=bearer_for(alice)).status_code == 200
    response = Client().post(f"/api/v1/statuses/{statuses[-1].pk}/pin", headers=bearer_for(alice))
    assert response.status_code == 422
    assert "maximum" in response.json()["error"]
    statuses[-1].refresh_from_db()
    assert statuses[-1].pinned_at is None


def test_pinning_needs_a_write_scope(alice: Actor) -> None:
    status = StatusFactory.create(account=alice)
    assert Client().post(f"/api/v1/statuses/{status.pk}/pin", headers=bearer_for(alice, "read")).status_code == 403
    status.refresh_from_db()
    assert status.pinned_at is None
