"""Markers: a read position moves forward when a page shows newer items, and marks notifications read."""

from __future__ import annotations

import pytest

from federation.models import Actor
from tests.factories.timeline import NotificationFactory
from timeline.actions.markers import do_advance_marker, do_save_marker
from timeline.models import Marker, Notification

pytestmark = pytest.mark.django_db


def test_advancing_the_notifications_marker_marks_them_read(alice: Actor, bob: Actor) -> None:
    # Two followers: one account follows once, and PostgreSQL holds each follow notification to that.
    older = NotificationFactory.create(recipient=alice, from_account=bob, type="follow")
    newer = NotificationFactory.create(recipient=alice, type="follow")
    marker = do_advance_marker(alice, Marker.Timeline.NOTIFICATIONS, older.pk)
    assert marker.last_read_id == str(older.pk)
    assert set(Notification.objects.filter(read=False).values_list("pk", flat=True)) == {newer.pk}


def test_advancing_never_moves_a_marker_back(alice: Actor) -> None:
    do_save_marker(alice, Marker.Timeline.NOTIFICATIONS, "500")
    marker = do_advance_marker(alice, Marker.Timeline.NOTIFICATIONS, 100)
    assert marker.last_read_id == "500"
    assert marker.version == 0
