"""Bookmarks through the client API: add, remove, list with pagination, and who may do what."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.models import Bookmark, Visibility

pytestmark = pytest.mark.django_db


def test_bookmark_shows_in_the_entity_and_the_list(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    body = Client().post(f"/api/v1/statuses/{status.pk}/bookmark", headers=bearer_for(bob)).json()
    assert body["id"] == str(status.pk)
    assert body["bookmarked"] is True
    assert Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer_for(alice)).json()["bookmarked"] is False
    listed = Client().get("/api/v1/bookmarks", headers=bearer_for(bob)).json()
    assert [item["id"] for item in listed] == [str(status.pk)]
    body = Client().post(f"/api/v1/statuses/{status.pk}/unbookmark", headers=bearer_for(bob)).json()
    assert body["bookmarked"] is False
    assert not Bookmark.objects.exists()


def test_bookmarks_page_with_link_header_next_first(alice: Actor, bob: Actor) -> None:
    statuses = [StatusFactory.create(account=alice) for _ in range(3)]
    for status in statuses:
        Client().post(f"/api/v1/statuses/{status.pk}/bookmark", headers=bearer_for(bob))
    response = Client().get("/api/v1/bookmarks?limit=2", headers=bearer_for(bob))
    assert [item["id"] for item in response.json()] == [str(statuses[2].pk), str(statuses[1].pk)]
    link = response["Link"]
    assert link.index('rel="next"') < link.index('rel="prev"')
    next_url = link.split(";")[0].strip("<>").replace("http://testserver", "")
    assert [item["id"] for item in Client().get(next_url, headers=bearer_for(bob)).json()] == [str(statuses[0].pk)]


def test_bookmarking_an_invisible_status_is_not_found(alice: Actor, bob: Actor) -> None:
    hidden = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    response = Client().post(f"/api/v1/statuses/{hidden.pk}/bookmark", headers=bearer_for(bob))
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert not Bookmark.objects.exists()


def test_bookmarks_are_private_to_their_owner(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    Bookmark.objects.create(account=alice, status=status)
    assert Client().get("/api/v1/bookmarks", headers=bearer_for(bob)).json() == []
    Client().post(f"/api/v1/statuses/{status.pk}/unbookmark", headers=bearer_for(bob))
    assert Bookmark.objects.filter(account=alice, status=status).exists()


def test_bookmark_scopes(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    refused = Client().post(f"/api/v1/statuses/{status.pk}/bookmark", headers=bearer_for(bob, "read"))
    assert refused.status_code == 403
    assert not Bookmark.objects.exists()
    assert Client().get("/api/v1/bookmarks", headers=bearer_for(bob, "write")).status_code == 403
    assert Client().get("/api/v1/bookmarks", headers=bearer_for(bob, "read:bookmarks")).status_code == 200
    assert Client().get("/api/v1/bookmarks").status_code == 401
