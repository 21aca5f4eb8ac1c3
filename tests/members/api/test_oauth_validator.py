"""Tokens are never wider than the scopes their app registered, whatever the grant."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from federation.models import Actor
from members.actions.app_registration import OUT_OF_BAND
from members.models import AppRegistration
from tests.clients import bearer
from tests.factories.oauth import APP_REDIRECT_URI, APP_SECRET, ApplicationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def password_grant(app: Application, scope: str | None) -> Any:
    data = {
        "grant_type": "password",
        "username": "alice",
        "password": PASSWORD,
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
    }
    if scope is not None:
        data["scope"] = scope
    return Client().post("/oauth/token", data)


def client_credentials(app: Application, scope: str) -> Any:
    data = {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": APP_SECRET, "scope": scope}
    return Client().post("/oauth/token", data)


def authorize(client: Client, app: Application, scope: str) -> Any:
    query = {"client_id": app.client_id, "redirect_uri": APP_REDIRECT_URI, "response_type": "code", "scope": scope}
    return client.post("/oauth/authorize?" + urlencode(query), {"decision": "allow"})


def assert_nothing_issued(app: Application) -> None:
    assert not AccessToken.objects.filter(application=app).exists()
    assert not Grant.objects.filter(application=app).exists()
    assert not RefreshToken.objects.filter(application=app).exists()


@pytest.mark.parametrize("scope", ["read write admin:write", "write", "read follow", "read:statuses push"])
def test_password_and_client_credentials_grants_refuse_scopes_the_app_did_not_register(
    alice: Actor, scope: str
) -> None:
    app = ApplicationFactory.create(scopes="read")
    for response in (password_grant(app, scope), client_credentials(app, scope)):
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"
    assert_nothing_issued(app)


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        ("read", "read"),
        ("read", "read:statuses read:notifications"),
        ("read write", "follow"),
        ("follow", "read:follows write:blocks"),
        ("read write follow push", "read write follow push"),
        ("admin:read admin:write read", "admin:read"),
    ],
)
def test_scopes_within_the_registered_ones_are_issued(alice: Actor, registered: str, requested: str) -> None:
    app = ApplicationFactory.create(scopes=registered)
    response = password_grant(app, requested)
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == requested
    assert AccessToken.objects.get(application=app).scope == requested


def test_the_default_scope_is_read_and_bounded_too(alice: Actor) -> None:
    reader = ApplicationFactory.create(scopes="read write")
    assert password_grant(reader, None).json()["scope"] == "read"
    writer = ApplicationFactory.create(scopes="write:statuses")
    response = password_grant(writer, None)
    assert response.json()["error"] == "invalid_scope"
    assert_nothing_issued(writer)


def test_an_app_that_never_registered_through_the_api_is_issued_nothing(alice: Actor) -> None:
    app = ApplicationFactory.create()
    AppRegistration.objects.filter(application=app).delete()
    assert password_grant(app, "read").json()["error"] == "invalid_scope"
    assert client_credentials(app, "read").json()["error"] == "invalid_scope"
    assert_nothing_issued(app)


def test_authorization_for_more_than_registered_issues_no_code(alice_client: Client) -> None:
    app = ApplicationFactory.create(scopes="read")
    response = authorize(alice_client, app, "read write admin:write")
    # The consent page refuses; nothing goes to the redirect URI and no code exists.
    assert response.status_code == 400
    assert "invalid_scope" in response.content.decode()
    assert_nothing_issued(app)
    query = {"client_id": app.client_id, "redirect_uri": APP_REDIRECT_URI, "response_type": "code", "scope": "write"}
    assert alice_client.get("/oauth/authorize?" + urlencode(query)).status_code == 400


def test_authorization_within_the_registered_scopes_issues_a_token_for_them(alice_client: Client) -> None:
    app = ApplicationFactory.create(scopes="read write")
    response = authorize(alice_client, app, "read:statuses write:statuses")
    assert response.status_code == 302
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    token = Client().post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": APP_SECRET,
            "redirect_uri": APP_REDIRECT_URI,
        },
    )
    assert token.status_code == 200
    assert token.json()["scope"] == "read:statuses write:statuses"


def test_a_refresh_cannot_widen_a_token(alice: Actor) -> None:
    app = ApplicationFactory.create(scopes="read write")
    first = password_grant(app, "read").json()
    data = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
    }
    wider = Client().post("/oauth/token", {**data, "scope": "read write"})
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"
    assert list(AccessToken.objects.filter(application=app).values_list("scope", flat=True)) == ["read"]
    assert Client().post("/oauth/token", data).json()["scope"] == "read"


def test_registration_stores_the_scopes_and_verify_credentials_shows_them() -> None:
    client = Client()
    registered = client.post(
        "/api/v1/apps",
        {
            "client_name": "Reader",
            "redirect_uris": OUT_OF_BAND,
            "scopes": "read write:statuses",
            "website": "https://reader.example",
        },
    ).json()
    app = Application.objects.get(client_id=registered["client_id"])
    assert app.registration.scope_list == ["read", "write:statuses"]
    assert app.registration.website == "https://reader.example"
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
            "scope": "read:statuses",
        },
    ).json()
    response = client.get("/api/v1/apps/verify_credentials", headers=bearer(token["access_token"]))
    assert response.json()["scopes"] == ["read", "write:statuses"]
    assert response.json()["website"] == "https://reader.example"
    refused = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
            "scope": "write",
        },
    )
    assert refused.json()["error"] == "invalid_scope"
    assert AccessToken.objects.filter(application=app).count() == 1
