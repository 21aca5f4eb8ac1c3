"""The web app's language and time zone: the browser's language and UTC for visitors, the member's own settings once
signed in, never on the API."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import Actor
from members.middleware import InterfaceLanguageMiddleware
from members.models import User
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory

pytestmark = pytest.mark.django_db


def page_language(html: bytes) -> str:
    found = re.search(rb'<html lang="([^"]*)"', html)
    assert found is not None
    return found.group(1).decode()


def set_interface_language(actor: Actor, language: str) -> None:
    User.objects.filter(actor=actor).update(interface_language=language)


def test_a_visitor_gets_the_browser_language() -> None:
    response = Client().get("/", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert page_language(response.content) == "fr"
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.headers["Vary"]


def test_a_visitor_without_a_preference_gets_english() -> None:
    response = Client().get("/", headers={"accept-language": "de"})
    assert page_language(response.content) == "en"
    assert response.headers["Content-Language"] == "en"


def test_a_visitor_picks_a_language_with_the_switcher_and_keeps_it() -> None:
    client = Client()
    page = client.get("/", headers={"accept-language": "fr"}).content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert '<option value="fr" lang="fr" selected>' in page
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"}, headers={"accept-language": "fr"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert page_language(client.get("/", headers={"accept-language": "fr"}).content) == "es"


def test_a_member_gets_their_own_language_whatever_the_browser_asks(alice: Actor, alice_client: Client) -> None:
    set_interface_language(alice, "es")
    for path in ("/home", "/settings/profile", "/"):
        response = alice_client.get(path, headers={"accept-language": "fr"})
        assert response.status_code == 200, path
        assert page_language(response.content) == "es", path
        assert response.headers["Content-Language"] == "es", path


def test_a_member_changes_the_language_from_the_settings_page(alice: Actor, alice_client: Client) -> None:
    page = alice_client.get("/settings/profile").content.decode()
    assert 'action="/settings/language"' in page
    response = alice_client.post("/settings/language", {"language": "fr", "next": "/settings/profile"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/profile"
    assert User.objects.get(actor=alice).interface_language == "fr"
    response = alice_client.get("/settings/profile", headers={"accept-language": "es"})
    assert page_language(response.content) == "fr"
    assert '<option value="fr" lang="fr" selected>' in response.content.decode()


def test_clearing_the_setting_follows_the_browser_again(alice: Actor, alice_client: Client) -> None:
    set_interface_language(alice, "es")
    response = alice_client.post("/settings/language", {"language": "", "next": "https://elsewhere.example/"})
    # A next address on another site is not followed.
    assert response.headers["Location"] == "/settings/profile"
    assert User.objects.get(actor=alice).interface_language == ""
    assert page_language(alice_client.get("/home", headers={"accept-language": "fr"}).content) == "fr"
    assert page_language(alice_client.get("/home").content) == "en"


def test_a_language_not_offered_is_refused_on_the_page_and_nothing_changes(alice: Actor, alice_client: Client) -> None:
    set_interface_language(alice, "es")
    response = alice_client.post("/settings/language", {"language": "de"}, follow=True)
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "The web app is not offered in 'de'; choose one of en, fr, es, or none to follow your browser."
    ]
    assert User.objects.get(actor=alice).interface_language == "es"


def test_a_visitor_cannot_store_a_setting() -> None:
    response = Client().post("/settings/language", {"language": "fr"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_api_ignores_the_setting_and_costs_no_extra_query(alice: Actor, alice_client: Client) -> None:
    """The API answers in the browser's language, the same with or without the member's setting and session."""
    token = AccessTokenFactory.create(user=alice.user)
    headers = {"accept-language": "fr", **bearer(token.token)}
    # A first request fills the caches a request reads (the instance's settings), so the ones below start alike.
    assert Client().get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200
    anonymous = Client().get("/api/v1/accounts/verify_credentials", headers=headers)
    answers = []
    # The same web session with and without a setting: what the session itself costs (a read replica's
    # read-your-writes check reads it) is the same in both, so only the setting could make a difference.
    for language in ("", "es"):
        set_interface_language(alice, language)
        with CaptureQueriesContext(connection) as queries:
            response = alice_client.get("/api/v1/accounts/verify_credentials", headers=headers)
        assert response.status_code == 200
        answers.append((response.json(), response.headers["Content-Language"], len(queries)))
    assert answers[0] == answers[1]
    assert (answers[1][0], answers[1][1]) == (anonymous.json(), "fr")


def zone_seen_by_view(user: User | AnonymousUser, path: str = "/home") -> str:
    """Return the time zone active while a view answers a browser request with a session cookie."""
    seen = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get(path)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "session"
    request.user = user
    InterfaceLanguageMiddleware(view)(request)
    return seen[0]


def test_a_member_with_a_time_zone_reads_and_types_times_in_it_for_that_request(alice: Actor) -> None:
    User.objects.filter(actor=alice).update(time_zone="Europe/Paris")
    assert zone_seen_by_view(User.objects.get(actor=alice)) == "Europe/Paris"
    # The thread serves someone else next: the zone does not stay behind.
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize("zone", ["", "Europe/Atlantis"])
def test_a_member_without_a_known_time_zone_gets_utc(alice: Actor, zone: str) -> None:
    User.objects.filter(actor=alice).update(time_zone=zone)
    assert zone_seen_by_view(User.objects.get(actor=alice)) == "UTC"


def test_a_visitor_and_the_api_get_utc(alice: Actor) -> None:
    User.objects.filter(actor=alice).update(time_zone="Europe/Paris")
    assert zone_seen_by_view(AnonymousUser()) == "UTC"
    assert zone_seen_by_view(User.objects.get(actor=alice), "/api/v1/statuses") == "UTC"


def test_a_member_sees_their_pages_in_their_time_zone(alice: Actor, alice_client: Client) -> None:
    User.objects.filter(actor=alice).update(time_zone="Asia/Tokyo")
    page = alice_client.get("/scheduled").content.decode()
    assert "Times are in Asia/Tokyo (your time zone setting)." in page
