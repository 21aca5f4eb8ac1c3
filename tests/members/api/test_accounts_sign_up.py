"""Sign-up from apps: POST /api/v1/accounts files a membership application and answers a token, as Mastodon does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from federation.models import Actor
from members.models import Membership, MembershipStatus, User
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory
from timeline.models import Status

pytestmark = pytest.mark.django_db

FORM = {
    "username": "nadia",
    "email": "nadia@example.test",
    "password": "a sturdy passphrase",
    "agreement": "true",
    "locale": "pt-BR",
    "reason": "I garden with the co-op's members.",
}


@pytest.fixture
def app_token() -> AccessToken:
    """A token of the client credentials grant: an app's, no person's."""
    token: AccessToken = AccessTokenFactory.create(user=None, scope="read write")
    return token


def sign_up(token: AccessToken, **changes: Any) -> Any:
    return Client().post("/api/v1/accounts", {**FORM, **changes}, headers=bearer(token.token))


def _counts() -> tuple[int, int, int, int]:
    return User.objects.count(), Actor.objects.count(), Membership.objects.count(), AccessToken.objects.count()


def test_an_app_signs_a_person_up_as_an_applicant(app_token: AccessToken) -> None:
    response = sign_up(app_token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert (body["token_type"], body["scope"]) == ("Bearer", "read write")
    assert isinstance(body["created_at"], int)
    user = User.objects.get(username="nadia")
    assert user.email == "nadia@example.test" and user.check_password("a sturdy passphrase")
    membership = Membership.objects.get(user=user)
    assert membership.status == MembershipStatus.APPLICANT
    assert membership.application_text == "I garden with the co-op's members."
    token = AccessToken.objects.get(token=body["access_token"])
    assert (token.user, token.application) == (user, app_token.application)

    # The applicant reads with the token, but may not post until admitted.
    me = Client().get("/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "nadia"
    posted = Client().post("/api/v1/statuses", {"status": "hello"}, headers=bearer(body["access_token"]))
    assert posted.status_code in {403, 422}
    assert Status.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"username": "alice"}, "username", "ERR_TAKEN"),
        ({"username": "inbox"}, "username", "ERR_RESERVED"),
        ({"username": "no spaces"}, "username", "ERR_INVALID"),
        ({"username": ""}, "username", "ERR_BLANK"),
        ({"username": "n" * 31}, "username", "ERR_TOO_LONG"),
        ({"email": "not-an-address"}, "email", "ERR_INVALID"),
        ({"email": "ALICE@example.test"}, "email", "ERR_TAKEN"),
        ({"email": ""}, "email", "ERR_BLANK"),
        ({"agreement": "false"}, "agreement", "ERR_ACCEPTED"),
        ({"password": "123"}, "password", "ERR_TOO_SHORT"),
        ({"password": ""}, "password", "ERR_BLANK"),
        ({"locale": "not a locale"}, "locale", "ERR_INCLUSION"),
        ({"reason": "x" * 5001}, "reason", "ERR_TOO_LONG"),
        ({"invite_code": "nope"}, "invite_code", "ERR_INVALID"),
    ],
)
def test_a_refused_sign_up_names_the_field_and_stores_nothing(
    alice: Actor, app_token: AccessToken, changes: dict[str, str], field: str, code: str
) -> None:
    assert alice.user is not None
    alice.user.email = "alice@example.test"
    alice.user.save(update_fields=["email"])
    before = _counts()
    response = sign_up(app_token, **changes)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"].startswith("Validation failed: ")
    assert list(body["details"]) == [field]
    [error] = body["details"][field]
    assert error["error"] == code and error["description"]
    assert _counts() == before


def test_every_field_at_fault_is_named_at_once(app_token: AccessToken) -> None:
    before = _counts()
    response = sign_up(app_token, username="inbox", email="nope", password="", agreement="false")
    assert response.status_code == 422
    details = response.json()["details"]
    assert {field: [e["error"] for e in errors] for field, errors in details.items()} == {
        "username": ["ERR_RESERVED"],
        "email": ["ERR_INVALID"],
        "password": ["ERR_BLANK"],
        "agreement": ["ERR_ACCEPTED"],
    }
    assert _counts() == before


def test_a_token_without_write_accounts_is_refused(app_token: AccessToken) -> None:
    reader = AccessTokenFactory.create(user=None, scope="read write:statuses")
    before = _counts()
    response = sign_up(reader)
    assert response.status_code == 403
    assert "error" in response.json()
    assert Client().post("/api/v1/accounts", FORM).status_code == 401
    assert _counts() == before


def test_sign_ups_are_limited_per_address(app_token: AccessToken) -> None:
    """Five attempts in half an hour, refused ones included, as Mastodon allows; the sixth is refused untried."""
    for n in range(4):
        assert sign_up(app_token, username="inbox", email=f"n{n}@example.test").status_code == 422
    response = sign_up(app_token)
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "5"
    before = _counts()
    refused = sign_up(app_token, username="nadia2", email="nadia2@example.test")
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert _counts() == before


def test_the_instance_says_sign_ups_need_approval() -> None:
    v2 = Client().get("/api/v2/instance").json()["registrations"]
    assert (v2["enabled"], v2["approval_required"]) == (True, True)
    v1 = Client().get("/api/v1/instance").json()
    assert (v1["registrations"], v1["approval_required"]) == (True, True)
