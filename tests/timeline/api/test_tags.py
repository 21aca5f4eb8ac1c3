"""Hashtags through the client API: read, follow, unfollow and the followed list; names no hashtag can have."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from timeline.models import Tag, TagFollow

pytestmark = pytest.mark.django_db


def test_follow_read_list_and_unfollow_a_hashtag(alice: Actor) -> None:
    headers = bearer_for(alice, "read write")
    body = Client().post("/api/v1/tags/Harvest/follow", headers=headers).json()
    assert (body["name"], body["following"]) == ("harvest", True)
    assert len(body["history"]) == 7
    assert Client().get("/api/v1/tags/harvest", headers=headers).json()["following"] is True
    # Anonymous readers see the hashtag without `following`.
    assert "following" not in Client().get("/api/v1/tags/harvest").json()
    for name in ("barley", "oats"):
        Client().post(f"/api/v1/tags/{name}/follow", headers=headers)
    page = Client().get("/api/v1/followed_tags?limit=2", headers=headers)
    assert [tag["name"] for tag in page.json()] == ["oats", "barley"]
    assert 'rel="next"' in page["Link"]
    body = Client().post("/api/v1/tags/harvest/unfollow", headers=headers).json()
    assert body["following"] is False
    assert sorted(TagFollow.objects.values_list("tag__name", flat=True)) == ["barley", "oats"]


def test_an_unused_hashtag_reads_with_no_id_and_no_history() -> None:
    body = Client().get("/api/v1/tags/neverused").json()
    assert (body["id"], body["name"], body["history"]) == ("", "neverused", [])
    assert not Tag.objects.exists()


@pytest.mark.parametrize("name", ["12345", "_1", "no-dashes", "a%20b", "x" * 101])
def test_a_name_no_hashtag_can_have_is_not_found_and_changes_nothing(alice: Actor, name: str) -> None:
    headers = bearer_for(alice, "read write")
    response = Client().post(f"/api/v1/tags/{name}/follow", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert Client().get(f"/api/v1/tags/{name}").status_code == 404
    assert not Tag.objects.exists()
    assert not TagFollow.objects.exists()


def test_following_a_hashtag_needs_a_write_scope(alice: Actor) -> None:
    response = Client().post("/api/v1/tags/harvest/follow", headers=bearer_for(alice, "read"))
    assert response.status_code == 403
    assert not TagFollow.objects.exists()
