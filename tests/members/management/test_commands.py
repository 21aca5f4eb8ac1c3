"""Operator commands: createmember and mint_token."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from federation.models import Actor
from members.models import User


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_createmember_prints_a_generated_password_once() -> None:
    output = run("createmember", "erin", "--email", "erin@example.test")
    assert "Created member erin." in output
    password = output.split("Password (shown once): ")[1].strip()
    assert User.objects.get(username="erin").check_password(password)
    assert Actor.objects.filter(username="erin", domain="").exists()


@pytest.mark.django_db
def test_createmember_admin_with_given_password() -> None:
    output = run("createmember", "founder", "--admin", "--password", "a sturdy passphrase")
    assert "Created admin founder." in output
    assert "Password" not in output
    assert User.objects.get(username="founder").is_superuser


@pytest.mark.django_db
def test_createmember_refuses_a_taken_name_and_changes_nothing() -> None:
    run("createmember", "erin")
    with pytest.raises(CommandError, match="already taken"):
        run("createmember", "Erin")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_minted_token_signs_in_to_the_client_api(client: Client) -> None:
    run("createmember", "erin")
    token = run("mint_token", "erin", "--scopes", "read").strip()
    response = client.get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "erin"
    assert body["acct"] == "erin"
    assert body["id"] == str(Actor.objects.get(username="erin").pk)
    assert body["source"]["privacy"] == "public"


@pytest.mark.django_db
def test_token_outside_its_scopes_is_refused(client: Client) -> None:
    run("createmember", "erin")
    token = run("mint_token", "erin", "--scopes", "write:statuses").strip()
    response = client.get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}


@pytest.mark.django_db
def test_missing_or_wrong_token_is_refused(client: Client) -> None:
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 401
    response = client.get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


@pytest.mark.django_db
def test_mint_token_refuses_unknown_scopes_and_users() -> None:
    run("createmember", "erin")
    with pytest.raises(CommandError, match="Unknown scope"):
        run("mint_token", "erin", "--scopes", "read everything")
    with pytest.raises(CommandError, match="No user named"):
        run("mint_token", "nobody")
