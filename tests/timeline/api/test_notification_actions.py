"""Dismissing and clearing notifications through the client API."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.actions.interactions import do_favourite
from timeline.models import Notification

pytestmark = pytest.mark.django_db


def test_dismiss_one_and_clear_all(alice: Actor, bob: Actor) -> None:
    for _ in range(3):
        do_favourite(bob, StatusFactory.create(account=alice))
    first = Notification.objects.order_by("pk").first()
    assert first is not None
    headers = bearer_for(alice)
    assert Client().post(f"/api/v1/notifications/{first.pk}/dismiss", headers=headers).json() == {}
    assert Notification.objects.count() == 2
    assert Client().post("/api/v1/notifications/clear", headers=headers).json() == {}
    assert not Notification.objects.exists()


def test_others_notifications_cannot_be_dismissed(alice: Actor, bob: Actor) -> None:
    do_favourite(bob, StatusFactory.create(account=alice))
    notification = Notification.objects.get()
    response = Client().post(f"/api/v1/notifications/{notification.pk}/dismiss", headers=bearer_for(bob))
    assert response.status_code == 404
    Client().post("/api/v1/notifications/clear", headers=bearer_for(bob))
    assert Notification.objects.count() == 1
    read_only = Client().post(f"/api/v1/notifications/{notification.pk}/dismiss", headers=bearer_for(alice, "read"))
    assert read_only.status_code == 403
    assert Client().post("/api/v1/notifications/clear", headers=bearer_for(alice, "read")).status_code == 403
    assert Notification.objects.count() == 1


def test_type_and_account_filters(alice: Actor, bob: Actor) -> None:
    do_favourite(bob, StatusFactory.create(account=alice))
    Notification.objects.create(recipient=alice, from_account=bob, type=Notification.Type.FOLLOW)
    headers = bearer_for(alice)
    only = Client().get("/api/v1/notifications?types[]=follow", headers=headers).json()
    assert [item["type"] for item in only] == ["follow"]
    without = Client().get("/api/v1/notifications?exclude_types[]=follow", headers=headers).json()
    assert [item["type"] for item in without] == ["favourite"]
    assert Client().get(f"/api/v1/notifications?account_id={alice.pk}", headers=headers).json() == []
