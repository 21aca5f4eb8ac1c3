"""Officers' pages: an application goes from share request to admission; dues, transfers, the register."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from members.models import DuesPayment, MembershipStatus, RegisterEntry, ShareClass, User
from members.selectors import bylaws_in_force, membership_status

pytestmark = pytest.mark.django_db

Kind = RegisterEntry.Kind


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_applicant_requests_shares_and_officers_admit_them(
    applicant: User, officer: User, treasurer: User, member_share: ShareClass
) -> None:
    asked = client_for(applicant).post("/coop/subscribe", {"share_class": member_share.pk, "quantity": 1})
    assert asked.status_code == 302
    request = RegisterEntry.objects.get(kind=Kind.SUBSCRIPTION_REQUEST, to_user=applicant)

    page = client_for(officer).get("/coop/officers").content.decode()
    assert "april" in page
    assert f"Record payment of #{request.sequence}" in page

    client_for(treasurer).post(f"/coop/officers/entries/{request.sequence}/confirm")
    assert RegisterEntry.objects.filter(kind=Kind.PAYMENT_CONFIRMATION, request=request).exists()
    client_for(officer).post(f"/coop/officers/entries/{request.sequence}/issue")
    assert RegisterEntry.objects.filter(kind=Kind.ISSUE, request=request).exists()
    if bylaws_in_force().admission_requires_approval:
        assert membership_status(applicant) == MembershipStatus.APPLICANT
        assert f"Admit {applicant.username}" in client_for(officer).get("/coop/officers").content.decode()
        client_for(officer).post(f"/coop/officers/applications/{applicant.pk}/admit")
    assert membership_status(applicant) == MembershipStatus.MEMBER


def test_admitting_before_the_shares_are_issued_changes_nothing(applicant: User, officer: User) -> None:
    response = client_for(officer).post(f"/coop/officers/applications/{applicant.pk}/admit", follow=True)
    assert "minimum" in response.content.decode()
    assert membership_status(applicant) == MembershipStatus.APPLICANT


def test_a_member_without_a_role_sees_and_changes_nothing(
    member: User, applicant: User, member_share: ShareClass
) -> None:
    client_for(applicant).post("/coop/subscribe", {"share_class": member_share.pk, "quantity": 1})
    request = RegisterEntry.objects.get(to_user=applicant)
    client = client_for(member)
    assert client.get("/coop/officers").status_code == 403
    assert client.get("/coop/officers/register").status_code == 403
    before = RegisterEntry.objects.count()
    client.post(f"/coop/officers/entries/{request.sequence}/confirm")
    client.post(f"/coop/officers/applications/{applicant.pk}/admit")
    client.post("/coop/officers/dues", {"member": "april", "amount": "5", "currency": "USD", "paid_on": "2026-01-01"})
    assert RegisterEntry.objects.count() == before
    assert not DuesPayment.objects.filter(user=applicant).exists()
    assert membership_status(applicant) == MembershipStatus.APPLICANT


def test_a_treasurer_records_dues_and_bad_input_records_nothing(treasurer: User, member: User) -> None:
    client = client_for(treasurer)
    today = timezone.localdate().isoformat()
    bad = client.post(
        "/coop/officers/dues",
        {"member": "nobody", "amount": "5", "currency": "USD", "paid_on": today, "months": 1},
        follow=True,
    )
    assert "No account is called" in bad.content.decode()
    negative = client.post(
        "/coop/officers/dues",
        {"member": "mira", "amount": "-5", "currency": "USD", "paid_on": today, "months": 1},
        follow=True,
    )
    assert negative.status_code == 200
    assert not DuesPayment.objects.filter(user=member, amount=-5).exists()
    count = DuesPayment.objects.filter(user=member).count()
    client.post(
        "/coop/officers/dues", {"member": "mira", "amount": "7.50", "currency": "USD", "paid_on": today, "months": 1}
    )
    assert DuesPayment.objects.filter(user=member).count() == count + 1


def test_a_transfer_the_giver_cannot_cover_is_refused(
    treasurer: User, member: User, applicant: User, investor_share: ShareClass
) -> None:
    before = RegisterEntry.objects.count()
    response = client_for(treasurer).post(
        "/coop/officers/transfers",
        {"giver": "mira", "receiver": "april", "share_class": investor_share.pk, "quantity": 3},
        follow=True,
    )
    assert response.status_code == 200
    assert RegisterEntry.objects.count() == before


def test_the_register_page_shows_holdings_and_downloads_csv(officer: User, member: User) -> None:
    client = client_for(officer)
    page = client.get("/coop/officers/register").content.decode()
    assert "mira" in page
    csv = client.get("/coop/officers/register", {"as_of": timezone.localdate().isoformat(), "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "mira" in csv.content.decode()
    past = client.get("/coop/officers/register", {"as_of": "2000-01-01"}).content.decode()
    assert "Nobody held shares on Jan. 1, 2000." in past
    assert "<table" not in past
    assert client.get("/coop/officers/register", {"as_of": "yesterday"}).status_code == 302
