"""Operator commands: createmember and mint_token."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from members.eligibility import eligible_voter_ids
from members.holdings import holdings_of
from members.models import Membership, MembershipStatus, ShareClass, User
from members.selectors import roles_of


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


@pytest.mark.django_db
def test_createmember_makes_a_paid_member_in_good_standing() -> None:
    run("createmember", "erin")
    user = User.objects.get(username="erin")
    assert Membership.objects.get(user=user).status == MembershipStatus.MEMBER
    share = ShareClass.objects.get()
    assert share.carries_vote
    assert holdings_of(user.pk) == {share.pk: 1}
    assert eligible_voter_ids(timezone.now()) == [user.pk]


@pytest.mark.django_db
def test_createmember_can_leave_an_applicant() -> None:
    assert "Created applicant ada." in run("createmember", "ada", "--applicant")
    user = User.objects.get(username="ada")
    assert Membership.objects.get(user=user).status == MembershipStatus.APPLICANT
    assert holdings_of(user.pk) == {}


@pytest.mark.django_db
def test_demo_members_hold_a_paid_share_and_the_admin_holds_the_officer_roles() -> None:
    call_command("seed_demo", stdout=StringIO())
    now = timezone.now()
    assert len(eligible_voter_ids(now)) == 3
    admin = User.objects.get(username="admin")
    assert roles_of(admin) == ["member", "membership_officer", "treasurer", "admin"]
    assert "chain intact" in run("verify_register")
