"""Membership pages: applying, one's own membership, the certificate and the statement."""

from __future__ import annotations

import pytest
from django.test import Client

from members.models import Invitation, Membership, MembershipStatus, User


@pytest.mark.django_db
def test_application_creates_an_applicant_who_sees_their_membership(client: Client, member: User) -> None:
    Invitation.objects.create(code="welcome", created_by=member, expires_at=member.date_joined.replace(year=2999))
    page = client.get("/coop/apply?invite=welcome")
    assert page.status_code == 200
    assert 'value="welcome"' in page.content.decode()
    response = client.post(
        "/coop/apply",
        {
            "username": "newbie",
            "email": "newbie@example.test",
            "password": "a sturdy passphrase",
            "application_text": "I run a bakery.",
            "invitation_code": "welcome",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="newbie")
    assert membership.status == MembershipStatus.APPLICANT
    assert membership.application_text == "I run a bakery."
    assert membership.invitation is not None
    page = client.get("/coop/membership")
    assert "Applicant" in page.content.decode()
    assert "Application received." in page.content.decode()


@pytest.mark.django_db
def test_refused_application_shows_the_reason_and_creates_nothing(client: Client, member: User) -> None:
    response = client.post(
        "/coop/apply",
        {"username": "mira", "email": "x@example.test", "password": "a sturdy passphrase", "invitation_code": ""},
    )
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    response = client.post(
        "/coop/apply",
        {"username": "zed", "email": "z@example.test", "password": "a sturdy passphrase", "invitation_code": "nope"},
    )
    assert "not valid" in response.content.decode()
    assert not User.objects.filter(username="zed").exists()


@pytest.mark.django_db
def test_certificate_and_statement_are_printable(client: Client, member: User) -> None:
    client.force_login(member)
    certificate = client.get("/coop/certificate").content.decode()
    assert "Share certificate" in certificate
    assert "Member share" in certificate
    assert "one vote, however many shares" in certificate
    statement = client.get("/coop/statement").content.decode()
    assert "Membership: Member, in good standing" in statement
    statement = client.get("/coop/statement?as_of=2000-01-01").content.decode()
    assert "not yet applied" in statement
    assert "Member statement" in statement
    assert "Member share" not in statement.split("<h2>Register operations")[0]
    assert client.get("/coop/statement?as_of=soon").status_code == 400


@pytest.mark.django_db
def test_documents_need_a_login(client: Client) -> None:
    for path in ("/coop/membership", "/coop/certificate", "/coop/statement"):
        assert client.get(path).status_code == 302
