"""Notifications and favourites lists through the client API."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.models import Favourite, Notification, Visibility

pytestmark = pytest.mark.django_db


def test_notifications_list_filters_and_counts(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    follow = Notification.objects.create(recipient=alice, from_account=bob, type=Notification.Type.FOLLOW)
    like = Notification.objects.create(
        recipient=alice, from_account=bob, type=Notification.Type.FAVOURITE, status=status, read=True
    )
    Notification.objects.create(recipient=bob, from_account=alice, type=Notification.Type.FOLLOW)
    headers = bearer_for(alice, "read")
    body = Client().get("/api/v1/notifications", headers=headers).json()
    assert [n["id"] for n in body] == [str(like.pk), str(follow.pk)]
    assert body[0]["type"] == "favourite"
    assert body[0]["status"]["id"] == str(status.pk)
    assert body[0]["account"]["id"] == str(bob.pk)
    assert body[1]["status"] is None
    only = Client().get("/api/v1/notifications?types[]=follow", headers=headers).json()
    assert [n["id"] for n in only] == [str(follow.pk)]
    without = Client().get("/api/v1/notifications?exclude_types[]=follow", headers=headers).json()
    assert [n["id"] for n in without] == [str(like.pk)]
    assert Client().get("/api/v1/notifications/unread_count", headers=headers).json() == {"count": 1}
    one = Client().get(f"/api/v1/notifications/{follow.pk}", headers=headers).json()
    assert one["type"] == "follow"


def test_others_notifications_are_not_found(alice: Actor, bob: Actor) -> None:
    theirs = Notification.objects.create(recipient=bob, from_account=alice, type=Notification.Type.FOLLOW)
    response = Client().get(f"/api/v1/notifications/{theirs.pk}", headers=bearer_for(alice, "read"))
    assert response.status_code == 404
    assert Client().get("/api/v1/notifications", headers=bearer_for(alice, "read:statuses")).status_code == 403


def test_favourites_lists_what_the_owner_liked(alice: Actor, bob: Actor) -> None:
    first = StatusFactory.create(account=bob)
    second = StatusFactory.create(account=bob, visibility=Visibility.UNLISTED)
    Favourite.objects.create(account=alice, status=first)
    Favourite.objects.create(account=alice, status=second)
    Favourite.objects.create(account=bob, status=first)
    response = Client().get("/api/v1/favourites?limit=1", headers=bearer_for(alice, "read"))
    assert [status["id"] for status in response.json()] == [str(second.pk)]
    assert response.json()[0]["favourited"] is True
    next_url = response["Link"].split(";")[0].strip("<>").replace("http://testserver", "")
    rest = Client().get(next_url, headers=bearer_for(alice, "read")).json()
    assert [status["id"] for status in rest] == [str(first.pk)]
