"""Scheduled posts on the web: listed soonest first, moved to another time, cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from members.models import User
from timeline.actions.scheduled_statuses import do_schedule_status
from timeline.actions.statuses import check_create_status
from timeline.models import ScheduledStatus

pytestmark = pytest.mark.django_db


def _schedule(author: Actor, text: str, hours: int) -> ScheduledStatus:
    moment = (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    return do_schedule_status(author, check_create_status(author, text=text, language="fr"), moment)


def test_scheduled_posts_are_listed_soonest_first(alice_client: Client, alice: Actor) -> None:
    _schedule(alice, "the later one", 5)
    soon = _schedule(alice, "the sooner one", 1)
    page = alice_client.get("/scheduled").content.decode()
    assert page.index("the sooner one") < page.index("the later one")
    assert soon.scheduled_at.strftime("%Y-%m-%d %H:%M") + " UTC</time>" in page
    assert "français" in page


def test_moving_a_scheduled_post(alice_client: Client, alice: Actor) -> None:
    item = _schedule(alice, "move me", 1)
    later = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = alice_client.post(
        f"/scheduled/{item.pk}/reschedule", {f"s{item.pk}-scheduled_at": later.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    assert "published at its new time" in response.content.decode()
    item.refresh_from_db()
    assert item.scheduled_at == later


@pytest.mark.parametrize(
    ("raw", "error"),
    [("soon", "at least 5 minutes ahead"), ("", "Give the new date and time"), ("tomorrow", "Give the new date")],
)
def test_a_bad_new_time_is_refused_and_changes_nothing(
    alice_client: Client, alice: Actor, raw: str, error: str
) -> None:
    item = _schedule(alice, "stay", 1)
    before = item.scheduled_at
    value = (timezone.now() + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M") if raw == "soon" else raw
    response = alice_client.post(f"/scheduled/{item.pk}/reschedule", {f"s{item.pk}-scheduled_at": value}, follow=True)
    assert error in response.content.decode()
    item.refresh_from_db()
    assert item.scheduled_at == before


def test_cancelling_a_scheduled_post(alice_client: Client, alice: Actor) -> None:
    item = _schedule(alice, "never mind", 1)
    response = alice_client.post(f"/scheduled/{item.pk}/cancel", follow=True)
    assert "was cancelled" in response.content.decode()
    assert not ScheduledStatus.objects.exists()


def test_someone_elses_scheduled_post_is_not_found_and_stays(alice_client: Client, bob: Actor) -> None:
    theirs = _schedule(bob, "bob's", 1)
    assert alice_client.post(f"/scheduled/{theirs.pk}/cancel").status_code == 404
    later = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert (
        alice_client.post(f"/scheduled/{theirs.pk}/reschedule", {f"s{theirs.pk}-scheduled_at": later}).status_code
        == 404
    )
    assert ScheduledStatus.objects.get(pk=theirs.pk).scheduled_at == theirs.scheduled_at


def test_the_list_and_the_new_time_follow_the_members_time_zone(alice_client: Client, alice: Actor) -> None:
    User.objects.filter(actor=alice).update(time_zone="Europe/Paris")
    item = _schedule(alice, "in paris", 1)
    page = alice_client.get("/scheduled").content.decode()
    assert "Times are in Europe/Paris (your time zone setting)." in page
    shown = timezone.localtime(item.scheduled_at, ZoneInfo("Europe/Paris"))
    assert shown.strftime("%Y-%m-%d %H:%M") + " Europe/Paris</time>" in page
    assert f'value="{shown.strftime("%Y-%m-%dT%H:%M")}"' in page
    assert "data-device-zone" not in page
    alice_client.post(f"/scheduled/{item.pk}/reschedule", {f"s{item.pk}-scheduled_at": "2030-01-01T10:00"})
    item.refresh_from_db()
    assert item.scheduled_at == datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def test_without_a_setting_the_list_offers_the_devices_zone(alice_client: Client, alice: Actor) -> None:
    item = _schedule(alice, "anywhere", 1)
    page = alice_client.get("/scheduled").content.decode()
    assert "Times are in UTC (Coordinated Universal Time)." in page
    assert 'data-device-zone-hint="Times are in {zone} (this device&#x27;s time zone)."' in page
    assert f'name="s{item.pk}-device_time_zone" data-device-zone=""' in page
    alice_client.post(
        f"/scheduled/{item.pk}/reschedule",
        {f"s{item.pk}-scheduled_at": "2030-01-01T10:00", f"s{item.pk}-device_time_zone": "Asia/Tokyo"},
    )
    item.refresh_from_db()
    assert item.scheduled_at == datetime(2030, 1, 1, 1, 0, tzinfo=UTC)


def test_an_unknown_device_zone_is_refused_and_the_time_stays(alice_client: Client, alice: Actor) -> None:
    item = _schedule(alice, "stay put", 1)
    before = item.scheduled_at
    response = alice_client.post(
        f"/scheduled/{item.pk}/reschedule",
        {f"s{item.pk}-scheduled_at": "2030-01-01T10:00", f"s{item.pk}-device_time_zone": "Nowhere/Else"},
        follow=True,
    )
    assert "This device&#x27;s time zone (Nowhere/Else) is not one this server knows" in response.content.decode()
    item.refresh_from_db()
    assert item.scheduled_at == before
