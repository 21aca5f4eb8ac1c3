"""The OAuth consent page: who may approve what, and where the code goes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import Application, Grant

from federation.models import Actor
from tests.factories.oauth import APP_REDIRECT_URI, OUT_OF_BAND, ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def app() -> Application:
    """Return a registered app."""
    return ApplicationFactory.create(name="Tusky", redirect_uris=f"{OUT_OF_BAND} {APP_REDIRECT_URI} tusky://oauth")


def authorize_url(app: Application, **params: str) -> str:
    """Return the consent page's address for the app with these parameters."""
    query = {"client_id": app.client_id, "redirect_uri": APP_REDIRECT_URI, "response_type": "code", "scope": "read"}
    query.update(params)
    return "/oauth/authorize?" + urlencode(query)


def test_anonymous_visitors_sign_in_first(app: Application) -> None:
    response = Client().get(authorize_url(app))
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=/oauth/authorize")


def test_consent_page_names_the_app_and_scopes(alice_client: Client, app: Application) -> None:
    response = alice_client.get(authorize_url(app, scope="read write:statuses follow"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Allow Tusky to use your account?" in page
    assert "write:statuses" in page
    assert "follow" in page
    assert f"sent back to <code>{APP_REDIRECT_URI}</code>" in page
    assert not Grant.objects.exists()


def test_approval_redirects_with_code_and_state(alice_client: Client, alice: Actor, app: Application) -> None:
    response = alice_client.post(authorize_url(app, state="xyz"), {"decision": "allow"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == APP_REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    grant = Grant.objects.get()
    assert grant.user == alice.user
    assert grant.scope == "read"


def test_custom_scheme_redirects_are_followed(alice_client: Client, app: Application) -> None:
    response = alice_client.post(authorize_url(app, redirect_uri="tusky://oauth"), {"decision": "allow"})
    assert response.status_code == 302
    assert response["Location"].startswith("tusky://oauth?code=")


def test_out_of_band_shows_the_code(alice_client: Client, app: Application) -> None:
    response = alice_client.post(authorize_url(app, redirect_uri=OUT_OF_BAND), {"decision": "allow"})
    assert response.status_code == 200
    assert Grant.objects.get().code in response.content.decode()


def test_denial_sends_access_denied_and_issues_nothing(alice_client: Client, app: Application) -> None:
    response = alice_client.post(authorize_url(app, state="s"), {"decision": "deny"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s"]
    assert not Grant.objects.exists()
    oob = alice_client.post(authorize_url(app, redirect_uri=OUT_OF_BAND), {"decision": "deny"})
    assert oob.status_code == 200
    assert "was not given access" in oob.content.decode()
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": APP_REDIRECT_URI + "/"},
        {"client_id": "unknown"},
        {"scope": "read everything"},
        {"response_type": "token"},
        {"code_challenge": "abc", "code_challenge_method": "plain"},
        {"code_challenge": "abc"},
    ],
)
def test_bad_requests_are_refused_on_the_page(alice_client: Client, app: Application, params: dict[str, str]) -> None:
    response = alice_client.get(authorize_url(app, **params))
    assert response.status_code == 400
    assert "This app cannot be authorized" in response.content.decode()
    approve = alice_client.post(authorize_url(app, **params), {"decision": "allow"})
    assert approve.status_code == 400
    assert not Grant.objects.exists()


def test_approval_needs_the_csrf_token(alice: Actor, app: Application) -> None:
    client = Client(enforce_csrf_checks=True)
    assert alice.user is not None
    client.force_login(alice.user)
    response = client.post(authorize_url(app), {"decision": "allow"})
    assert response.status_code == 403
    assert not Grant.objects.exists()
