"""Markers through the client API: read positions with versions, tied to the unread notification count."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.actions.interactions import do_favourite
from timeline.models import Marker, Notification

pytestmark = pytest.mark.django_db


def test_save_and_read_markers(alice: Actor) -> None:
    headers = bearer_for(alice)
    assert Client().get("/api/v1/markers?timeline[]=home", headers=headers).json() == {}
    saved = Client().post("/api/v1/markers", {"home[last_read_id]": "105"}, headers=headers).json()
    assert saved["home"]["last_read_id"] == "105"
    assert saved["home"]["version"] == 0
    again = (
        Client()
        .post("/api/v1/markers", {"home": {"last_read_id": "107"}}, content_type="application/json", headers=headers)
        .json()
    )
    assert again["home"]["version"] == 1
    read = Client().get("/api/v1/markers?timeline[]=home&timeline[]=notifications", headers=headers).json()
    assert list(read) == ["home"]
    assert read["home"]["last_read_id"] == "107"
    assert read["home"]["updated_at"].endswith("Z")


def test_notifications_marker_sets_the_unread_count(alice: Actor, bob: Actor) -> None:
    statuses = [StatusFactory.create(account=alice) for _ in range(3)]
    for status in statuses:
        do_favourite(bob, status)
    notifications = list(Notification.objects.order_by("pk"))
    headers = bearer_for(alice)
    assert Client().get("/api/v1/notifications/unread_count", headers=headers).json() == {"count": 3}
    Client().post("/api/v1/markers", {"notifications[last_read_id]": str(notifications[1].pk)}, headers=headers)
    assert Client().get("/api/v1/notifications/unread_count", headers=headers).json() == {"count": 1}


def test_marker_refusals_change_nothing(alice: Actor) -> None:
    bad = Client().post("/api/v1/markers", {"home[last_read_id]": "abc"}, headers=bearer_for(alice))
    assert bad.status_code == 422
    read_only = Client().post("/api/v1/markers", {"home[last_read_id]": "1"}, headers=bearer_for(alice, "read"))
    assert read_only.status_code == 403
    assert not Marker.objects.exists()
    assert Client().get("/api/v1/markers", headers=bearer_for(alice, "write")).status_code == 403


def test_markers_are_per_account(alice: Actor, bob: Actor) -> None:
    Client().post("/api/v1/markers", {"home[last_read_id]": "9"}, headers=bearer_for(bob))
    assert Client().get("/api/v1/markers?timeline[]=home", headers=bearer_for(alice)).json() == {}
