"""Bearer tokens and scopes on client API endpoints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory, ApplicationFactory
from tests.factories.timeline import StatusFactory
from timeline.models import Visibility

pytestmark = pytest.mark.django_db


def test_a_token_without_the_scope_is_refused(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="write")
    response = Client().get("/api/v1/accounts/verify_credentials", headers=bearer(token.token))
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}


@pytest.mark.parametrize("scope", ["read", "read:accounts", "profile"])
def test_broad_granular_and_profile_scopes_read_the_own_account(alice: Actor, scope: str) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope=scope)
    assert Client().get("/api/v1/accounts/verify_credentials", headers=bearer(token.token)).status_code == 200


def test_legacy_follow_scope_reads_relationships(alice: Actor, bob: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="follow")
    response = Client().get(f"/api/v1/accounts/relationships?id[]={bob.pk}", headers=bearer(token.token))
    assert response.status_code == 200
    assert Client().get("/api/v1/preferences", headers=bearer(token.token)).status_code == 403


def test_unknown_expired_and_revoked_tokens_are_invalid(alice: Actor) -> None:
    assert Client().get("/api/v1/accounts/verify_credentials", headers=bearer("nonsense")).status_code == 401
    expired = AccessTokenFactory.create(user=alice.user, expires=timezone.now() - timedelta(seconds=1))
    response = Client().get("/api/v1/accounts/verify_credentials", headers=bearer(expired.token))
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


def test_token_in_the_query_string_is_accepted(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="read")
    assert Client().get(f"/api/v1/accounts/verify_credentials?access_token={token.token}").status_code == 200


def test_a_disabled_login_is_refused(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user)
    assert alice.user is not None
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    response = Client().get("/api/v1/accounts/verify_credentials", headers=bearer(token.token))
    assert response.status_code in (401, 403)


def test_an_app_token_cannot_act_as_a_person() -> None:
    token = AccessTokenFactory.create(user=None, application=ApplicationFactory.create(), scope="read")
    response = Client().get("/api/v1/accounts/verify_credentials", headers=bearer(token.token))
    assert response.status_code == 422
    assert response.json() == {"error": "This method requires an authenticated user"}


def test_a_presented_token_must_be_valid_even_on_public_reads(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, visibility=Visibility.PUBLIC)
    assert Client().get(f"/api/v1/statuses/{status.pk}").status_code == 200
    assert Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer("nonsense")).status_code == 401
    write_only = AccessTokenFactory.create(user=alice.user, scope="write")
    assert Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer(write_only.token)).status_code == 403
