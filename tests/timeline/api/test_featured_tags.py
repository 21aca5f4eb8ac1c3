"""Featured hashtags through the client API: at most ten, each once, only one's own removed."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor, OutboundActivity
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.actions.tags import MAX_FEATURED_TAGS
from timeline.models import FeaturedTag, Tag

pytestmark = pytest.mark.django_db


def test_feature_list_show_on_the_profile_and_remove(alice: Actor, bob: Actor) -> None:
    headers = bearer_for(alice, "read write")
    tag = Tag.objects.create(name="harvest")
    StatusFactory.create(account=alice).tags.add(tag)
    body = Client().post("/api/v1/featured_tags", {"name": "#Harvest"}, headers=headers).json()
    assert (body["name"], body["statuses_count"]) == ("harvest", "1")
    assert body["last_status_at"] is not None
    assert [item["name"] for item in Client().get("/api/v1/featured_tags", headers=headers).json()] == ["harvest"]
    shown = Client().get(f"/api/v1/accounts/{alice.pk}/featured_tags").json()
    assert [item["id"] for item in shown] == [body["id"]]
    # Someone else cannot remove it: their request finds nothing.
    response = Client().delete(f"/api/v1/featured_tags/{body['id']}", headers=bearer_for(bob, "read write"))
    assert response.status_code == 404
    assert FeaturedTag.objects.count() == 1
    assert Client().delete(f"/api/v1/featured_tags/{body['id']}", headers=headers).json() == {}
    assert not FeaturedTag.objects.exists()


def test_featuring_is_sent_to_remote_followers_as_add_and_remove(alice: Actor) -> None:
    FollowFactory.create(follower=RemoteActorFactory.create(), target=alice)
    headers = bearer_for(alice, "read write")
    featured = Client().post("/api/v1/featured_tags", {"name": "harvest"}, headers=headers).json()
    Client().delete(f"/api/v1/featured_tags/{featured['id']}", headers=headers)
    activities = list(OutboundActivity.objects.order_by("pk"))
    assert [activity.activity_type for activity in activities] == ["Add", "Remove"]
    assert activities[0].body["target"] == f"{alice.uri}/collections/tags"
    assert activities[0].body["object"]["name"] == "#harvest"


def test_suggestions_are_the_hashtags_used_and_not_featured(alice: Actor) -> None:
    for name in ("harvest", "barley"):
        StatusFactory.create(account=alice).tags.add(Tag.objects.get_or_create(name=name)[0])
    headers = bearer_for(alice, "read write")
    Client().post("/api/v1/featured_tags", {"name": "barley"}, headers=headers)
    suggested = Client().get("/api/v1/featured_tags/suggestions", headers=headers).json()
    assert [item["name"] for item in suggested] == ["harvest"]


def test_featuring_a_hashtag_twice_is_refused_and_changes_nothing(alice: Actor) -> None:
    headers = bearer_for(alice, "read write")
    Client().post("/api/v1/featured_tags", {"name": "harvest"}, headers=headers)
    response = Client().post("/api/v1/featured_tags", {"name": "HARVEST"}, headers=headers)
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: Tag is already featured."}
    assert FeaturedTag.objects.count() == 1


def test_featuring_beyond_the_limit_is_refused_and_changes_nothing(alice: Actor) -> None:
    headers = bearer_for(alice, "read write")
    for number in range(MAX_FEATURED_TAGS):
        assert Client().post("/api/v1/featured_tags", {"name": f"tag{number}"}, headers=headers).status_code == 200
    response = Client().post("/api/v1/featured_tags", {"name": "onemore"}, headers=headers)
    assert response.status_code == 422
    assert response.json() == {"error": f"Validation failed: You can feature at most {MAX_FEATURED_TAGS} hashtags."}
    assert FeaturedTag.objects.count() == MAX_FEATURED_TAGS
    assert not Tag.objects.filter(name="onemore").exists()


@pytest.mark.parametrize("name", ["", "1234", "two words", "dash-ed"])
def test_featuring_a_name_no_hashtag_can_have_is_refused(alice: Actor, name: str) -> None:
    response = Client().post("/api/v1/featured_tags", {"name": name}, headers=bearer_for(alice, "read write"))
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: Name is not a valid hashtag."}
    assert not FeaturedTag.objects.exists()
    assert not Tag.objects.exists()
