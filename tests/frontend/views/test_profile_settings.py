"""The member's time zone on the settings page: chosen from a grouped list, stored through the preferences action."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from federation.models import Actor
from members.models import User

pytestmark = pytest.mark.django_db


def zone_select(page: str) -> str:
    found = re.search(r'<select name="time_zone"[^>]*>.*?</select>', page, re.DOTALL)
    assert found is not None
    return found.group(0)


def test_the_zones_are_grouped_by_area_and_sorted_by_place(alice_client: Client) -> None:
    select = zone_select(alice_client.get("/settings/profile").content.decode())
    areas = re.findall(r'<optgroup label="([^"]+)">', select)
    assert areas == sorted(areas)
    assert {"Africa", "America", "Europe", "Pacific"} <= set(areas)
    europe = re.search(r'<optgroup label="Europe">(.*?)</optgroup>', select, re.DOTALL)
    assert europe is not None
    places = re.findall(r"<option [^>]*>([^<]+)</option>", europe.group(1))
    assert places == sorted(places)
    assert '<option value="America/Argentina/Buenos_Aires">Buenos Aires (Argentina)</option>' in select


def test_without_a_choice_nothing_is_selected_and_the_device_zone_may_be_offered(alice_client: Client) -> None:
    select = zone_select(alice_client.get("/settings/profile").content.decode())
    assert '<option value="" selected>Not set (UTC)</option>' in select
    assert "data-device-zone-select" in select


def test_choosing_a_zone_stores_it_and_shows_it_selected(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/settings/time-zone", {"time_zone": "Europe/Paris"}, follow=True)
    assert response.redirect_chain == [("/settings/profile#time-zone", 302)]
    assert "Time zone saved." in response.content.decode()
    assert User.objects.get(actor=alice).time_zone == "Europe/Paris"
    select = zone_select(response.content.decode())
    assert '<option value="Europe/Paris" selected>Paris</option>' in select
    assert "data-device-zone-select" not in select


def test_a_zone_kept_for_compatibility_stays_shown_as_chosen(alice_client: Client, alice: Actor) -> None:
    User.objects.filter(actor=alice).update(time_zone="US/Eastern")
    select = zone_select(alice_client.get("/settings/profile").content.decode())
    assert '<option value="US/Eastern" selected>US/Eastern</option>' in select


def test_an_unknown_zone_is_refused_on_the_page_and_nothing_changes(alice_client: Client, alice: Actor) -> None:
    User.objects.filter(actor=alice).update(time_zone="Asia/Tokyo")
    response = alice_client.post("/settings/time-zone", {"time_zone": "Mars/Olympus_Mons"}, follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "'Mars/Olympus_Mons' is not a time zone this server knows; choose a place such as Europe/Paris, or none "
        "for UTC."
    ]
    assert User.objects.get(actor=alice).time_zone == "Asia/Tokyo"


def test_a_visitor_cannot_store_a_zone() -> None:
    response = Client().post("/settings/time-zone", {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
