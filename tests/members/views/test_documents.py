"""Membership pages: applying, one's own membership, the certificate and the statement."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from members.models import BylawsVersion, Invitation, Membership, MembershipStatus, User
from tests.factories.members import DuesPaymentFactory


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
    assert "Member share" not in statement.split('<h2 id="operations">')[0]
    assert client.get("/coop/statement?as_of=soon").status_code == 400


@pytest.mark.django_db
def test_documents_need_a_login(client: Client) -> None:
    for path in ("/coop/membership", "/coop/certificate", "/coop/statement"):
        assert client.get(path).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shares", "sentence"),
    [(1, "once your 1 member share is paid"), (3, "once your 3 member shares are paid")],
)
def test_the_application_page_counts_the_member_shares_in_words(client: Client, shares: int, sentence: str) -> None:
    BylawsVersion.objects.create(
        version=2, effective_at=timezone.now(), authorised_by="Test decision", minimum_voting_shares=shares
    )
    page = client.get("/coop/apply").content.decode()
    assert sentence in page
    assert "share(s)" not in page


@pytest.mark.django_db
def test_an_applicant_sees_sentences_instead_of_empty_tables(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    page = client.get("/coop/membership").content.decode()
    assert "<table" not in page
    assert "You hold no shares yet." in page
    assert "The register records nothing in your name yet" in page
    assert "No dues payments recorded yet." in page
    assert "No patronage has been allocated yet." in page
    # Dues start with admission, which has not happened yet.
    assert "Once you are admitted, the bylaws ask" in page
    assert "since you were admitted" not in page
    assert "who sends you the payment details" in page


@pytest.mark.django_db
def test_a_members_resign_button_is_styled_as_destructive(client: Client, member: User) -> None:
    client.force_login(member)
    page = client.get("/coop/membership").content.decode()
    assert '<button type="submit" class="danger">Resign</button>' in page
    assert 'role="region" aria-labelledby="shares" tabindex="0"' in page


@pytest.mark.django_db
def test_an_empty_statement_says_so_under_each_heading(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    statement = client.get("/coop/statement?as_of=2000-01-01").content.decode()
    assert "<table" not in statement
    for sentence in (
        "No shares were held on this date.",
        "The register recorded no operation in your name by this date.",
        "No dues payments were recorded by this date.",
        "No patronage was allocated to you by this date.",
    ):
        assert sentence in statement


@pytest.mark.django_db
def test_the_statements_dues_columns_have_distinct_headers(client: Client, member: User) -> None:
    DuesPaymentFactory.create(user=member)
    client.force_login(member)
    statement = client.get("/coop/statement").content.decode()
    assert '<th scope="col">Period</th><th scope="col">Months covered</th>' in statement
    assert ">Month</th>" not in statement
