"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from config.vapid import vapid_public_key
from members.actions.app_registration import OUT_OF_BAND
from tests.clients import bearer

pytestmark = pytest.mark.django_db


def test_registers_an_app_from_a_form() -> None:
    response = Client().post(
        "/api/v1/apps",
        {"client_name": "Tusky", "redirect_uris": OUT_OF_BAND, "scopes": "read write follow push"},
    )
    assert response.status_code == 200
    body = response.json()
    application = Application.objects.get(client_id=body["client_id"])
    assert body["id"] == str(application.pk)
    assert body["name"] == "Tusky"
    assert body["scopes"] == ["read", "write", "follow", "push"]
    assert body["redirect_uris"] == [OUT_OF_BAND]
    assert body["redirect_uri"] == OUT_OF_BAND
    assert body["client_secret"]
    assert body["vapid_key"] == vapid_public_key()
    # The secret is stored hashed: only the reply shows it.
    assert application.client_secret != body["client_secret"]


def test_registers_an_app_from_json_with_several_redirect_uris() -> None:
    payload = {
        "client_name": "Elk",
        "redirect_uris": ["https://elk.example/callback", "elk://oauth"],
        "scopes": "read",
        "website": "https://elk.example",
    }
    response = Client().post("/api/v1/apps", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["redirect_uris"] == ["https://elk.example/callback", "elk://oauth"]
    assert body["website"] == "https://elk.example"
    assert (
        Application.objects.get(client_id=body["client_id"]).redirect_uris == "https://elk.example/callback elk://oauth"
    )


def test_scopes_default_to_read() -> None:
    body = Client().post("/api/v1/apps", {"client_name": "cli", "redirect_uris": OUT_OF_BAND}).json()
    assert body["scopes"] == ["read"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"redirect_uris": OUT_OF_BAND}, "client_name can't be blank"),
        ({"client_name": "x" * 61, "redirect_uris": OUT_OF_BAND}, "client_name is too long"),
        ({"client_name": "App"}, "redirect_uris can't be blank"),
        ({"client_name": "App", "redirect_uris": "not-a-uri"}, "must be an absolute URI"),
        ({"client_name": "App", "redirect_uris": "javascript:alert(1)"}, "scheme that is not allowed"),
        ({"client_name": "App", "redirect_uris": "https://a.example/cb#frag"}, "must not contain a fragment"),
        ({"client_name": "App", "redirect_uris": OUT_OF_BAND, "scopes": "read admin:everything"}, "Unknown scope"),
        ({"client_name": "App", "redirect_uris": OUT_OF_BAND, "website": "ftp://a.example"}, "website must be"),
    ],
)
def test_refuses_bad_registrations_without_creating_anything(payload: dict[str, str], message: str) -> None:
    response = Client().post("/api/v1/apps", payload)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not Application.objects.exists()


def test_only_post_is_accepted() -> None:
    response = Client().get("/api/v1/apps")
    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed"}


def test_app_token_verifies_its_application() -> None:
    client = Client()
    registered = client.post("/api/v1/apps", {"client_name": "Bot", "redirect_uris": OUT_OF_BAND}).json()
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
            "scope": "read",
        },
    ).json()
    response = client.get("/api/v1/apps/verify_credentials", headers=bearer(token["access_token"]))
    assert response.status_code == 200
    assert response.json()["name"] == "Bot"
    assert response.json()["scopes"] == ["read"]
    assert "client_secret" not in response.json()
    assert AccessToken.objects.get().user is None


def test_verify_credentials_refuses_a_missing_token() -> None:
    response = Client().get("/api/v1/apps/verify_credentials")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
