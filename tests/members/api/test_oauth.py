"""POST /oauth/token, POST /oauth/revoke and the authorization server metadata, refusals included."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import APP_REDIRECT_URI, APP_SECRET, ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def app() -> Application:
    """Return a registered app with a web redirect and the on-screen code."""
    return ApplicationFactory.create()


def s256(verifier: str) -> str:
    """Return the PKCE S256 challenge of a verifier."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize(client: Client, app: Application, *, scope: str = "read write", **extra: str) -> str:
    """Approve the app on the consent page as the signed-in client and return the code."""
    query = {"client_id": app.client_id, "redirect_uri": APP_REDIRECT_URI, "response_type": "code", "scope": scope}
    query.update(extra)
    response = client.post("/oauth/authorize?" + "&".join(f"{k}={v}" for k, v in query.items()), {"decision": "allow"})
    assert response.status_code == 302, response.content
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def exchange(code: str, app: Application, **extra: str) -> Any:
    """Post a code to the token endpoint and return the response."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
        "redirect_uri": APP_REDIRECT_URI,
    }
    data.update(extra)
    return Client().post("/oauth/token", data)


def test_code_flow_issues_a_token_whose_scope_covers_the_request(
    alice_client: Client, alice: Actor, app: Application
) -> None:
    code = authorize(alice_client, app, scope="read write follow push")
    response = exchange(code, app)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write follow push"
    assert isinstance(body["created_at"], int)
    token = AccessToken.objects.get(application=app)
    assert token.user == alice.user
    me = Client().get("/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"]))
    assert me.json()["username"] == "alice"


def test_code_flow_accepts_a_json_body(alice_client: Client, app: Application) -> None:
    code = authorize(alice_client, app)
    payload = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
        "redirect_uri": APP_REDIRECT_URI,
    }
    response = Client().post("/oauth/token", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["scope"] == "read write"


def test_a_code_works_once(alice_client: Client, app: Application) -> None:
    code = authorize(alice_client, app)
    assert exchange(code, app).status_code == 200
    again = exchange(code, app)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert AccessToken.objects.count() == 1


def test_an_expired_code_is_refused(alice_client: Client, app: Application) -> None:
    code = authorize(alice_client, app)
    Grant.objects.filter(application=app).update(expires=timezone.now() - timedelta(seconds=1))
    response = exchange(code, app)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_the_redirect_uri_must_match_the_one_authorized(alice_client: Client, app: Application) -> None:
    code = authorize(alice_client, app)
    response = exchange(code, app, redirect_uri=APP_REDIRECT_URI + "/other")
    assert response.status_code in (400, 401)
    assert not AccessToken.objects.exists()


def test_a_wrong_client_secret_is_refused(alice_client: Client, app: Application) -> None:
    code = authorize(alice_client, app)
    response = exchange(code, app, client_secret="guess")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_another_apps_code_is_refused(alice_client: Client, app: Application) -> None:
    code = authorize(alice_client, app)
    other = ApplicationFactory.create()
    response = exchange(code, other)
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_pkce_verifier_is_checked(alice_client: Client, app: Application) -> None:
    verifier = "v" * 50
    code = authorize(alice_client, app, code_challenge=s256(verifier), code_challenge_method="S256")
    wrong = exchange(code, app, code_verifier="w" * 50)
    assert wrong.status_code == 400
    assert not AccessToken.objects.exists()
    code = authorize(alice_client, app, code_challenge=s256(verifier), code_challenge_method="S256")
    missing = exchange(code, app)
    assert missing.status_code == 400
    assert not AccessToken.objects.exists()
    code = authorize(alice_client, app, code_challenge=s256(verifier), code_challenge_method="S256")
    assert exchange(code, app, code_verifier=verifier).status_code == 200


def test_password_grant_for_command_line_clients(alice: Actor, app: Application) -> None:
    data = {
        "grant_type": "password",
        "username": "alice",
        "password": "correct horse battery staple",
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
        "scope": "read",
    }
    response = Client().post("/oauth/token", data)
    assert response.status_code == 200
    assert response.json()["scope"] == "read"
    wrong = Client().post("/oauth/token", {**data, "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert AccessToken.objects.count() == 1


def test_unknown_scopes_are_refused(alice: Actor, app: Application) -> None:
    data = {
        "grant_type": "password",
        "username": "alice",
        "password": "correct horse battery staple",
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
        "scope": "read everything",
    }
    response = Client().post("/oauth/token", data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert not AccessToken.objects.exists()


def test_refresh_token_issues_a_new_token(alice_client: Client, app: Application) -> None:
    first = exchange(authorize(alice_client, app), app).json()
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": app.client_id,
            "client_secret": APP_SECRET,
        },
    )
    assert response.status_code == 200
    assert response.json()["access_token"] != first["access_token"]
    assert response.json()["scope"] == "read write"


def test_revoke_ends_a_token(alice_client: Client, app: Application) -> None:
    token = exchange(authorize(alice_client, app), app).json()["access_token"]
    headers = bearer(token)
    assert Client().get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200
    response = Client().post("/oauth/revoke", {"token": token, "client_id": app.client_id, "client_secret": APP_SECRET})
    assert response.status_code == 200
    assert response.json() == {}
    assert Client().get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 401


def test_revoke_refuses_a_wrong_client_and_keeps_the_token(alice_client: Client, app: Application) -> None:
    token = exchange(authorize(alice_client, app), app).json()["access_token"]
    response = Client().post("/oauth/revoke", {"token": token, "client_id": app.client_id, "client_secret": "x"})
    assert response.status_code == 401
    other = ApplicationFactory.create()
    Client().post("/oauth/revoke", {"token": token, "client_id": other.client_id, "client_secret": APP_SECRET})
    headers = bearer(token)
    assert Client().get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1


def test_token_endpoint_answers_browser_clients_with_cors() -> None:
    response = Client().options(
        "/oauth/token", headers={"Origin": "https://elk.example", "Access-Control-Request-Method": "POST"}
    )
    assert response["Access-Control-Allow-Origin"] == "*"


def test_metadata_names_the_endpoints_and_grants() -> None:
    response = Client().get("/.well-known/oauth-authorization-server", headers={"Origin": "https://elk.example"})
    assert response.status_code == 200
    body = response.json()
    assert body["authorization_endpoint"].endswith("/oauth/authorize")
    assert body["token_endpoint"].endswith("/oauth/token")
    assert body["revocation_endpoint"].endswith("/oauth/revoke")
    assert body["app_registration_endpoint"].endswith("/api/v1/apps")
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert {"authorization_code", "password", "client_credentials"} <= set(body["grant_types_supported"])
    assert {"read", "write", "follow", "push", "read:statuses"} <= set(body["scopes_supported"])
    assert response["Access-Control-Allow-Origin"] == "*"
