"""Officers' ownership page: share classes, dues tiers, imports, contributions and patronage statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.lifecycle import check_resign_member, do_resign_member
from members.actions.working_groups import do_create_working_group, do_seat_member
from members.holdings import holdings_of
from members.models import ContributionRecord, DuesPayment, DuesTier, PatronageStatement, ShareClass, User
from tests.factories.members import DuesPaymentFactory, make_member

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reserved_share_classes_open_a_proposal_instead(treasurer: User, member_share: ShareClass) -> None:
    page = client_for(treasurer).get("/coop/officers/ownership").content.decode()
    assert "The bylaws reserve share classes to the assembly." in page
    assert 'action="/governance/proposals/new"' in page
    assert 'name="kind" value="share_class"' in page
    assert f"/governance/proposals/new?kind=share_class&amp;share_class={member_share.pk}" in page
    assert "one per member" in page
    body = {"name": "Supporter", "nominal_value": "25", "currency": "USD", "min_per_member": "0"}
    response = client_for(treasurer).post("/coop/officers/share-classes", body, follow=True)
    assert "reserve share classes to the assembly" in response.content.decode()
    assert not ShareClass.objects.filter(name="Supporter").exists()


def test_officers_keep_classes_and_tiers_the_bylaws_leave_to_them(
    treasurer: User, officer: User, member_share: ShareClass
) -> None:
    do_adopt_bylaws_version({"assembly_decides_share_classes": False}, authorised_by="Decision #70")
    client = client_for(treasurer)
    body = {"name": "Supporter", "nominal_value": "25", "currency": "USD", "min_per_member": "0", "redeemable": "on"}
    client.post("/coop/officers/share-classes", body)
    supporter = ShareClass.objects.get(name="Supporter")
    assert (supporter.carries_vote, supporter.redeemable) == (False, True)
    change = {f"class-{supporter.pk}-{key}": value for key, value in (body | {"max_per_member": "5"}).items()}
    client.post(f"/coop/officers/share-classes/{supporter.pk}", change)
    supporter.refresh_from_db()
    assert supporter.max_per_member == 5
    # A membership officer may see the page but not change what treasurers keep.
    tier = {"name": "Low", "monthly_amount": "1", "period_months": "3", "currency": "USD"}
    refused = client_for(officer).post("/coop/officers/dues-tiers", tier, follow=True)
    assert "treasurer or an admin" in refused.content.decode()
    client.post("/coop/officers/dues-tiers", tier)
    assert DuesTier.objects.get().period_months == 3
    bad = client.post("/coop/officers/dues-tiers", tier | {"name": "Odd", "sliding_scale_max": "0.5"}, follow=True)
    assert "below its bottom" in bad.content.decode()
    assert DuesTier.objects.count() == 1


def test_members_without_a_role_see_and_change_nothing(member: User) -> None:
    client = client_for(member)
    assert client.get("/coop/officers/ownership").status_code == 403
    client.post("/coop/officers/dues-tiers", {"name": "Low", "monthly_amount": "1", "period_months": "1"})
    upload = SimpleUploadedFile("dues.csv", b"member,amount,date,reference\nmira,5,2026-01-05,r\n")
    client.post("/coop/officers/dues/import", {"file": upload})
    assert not DuesTier.objects.exists()
    assert not DuesPayment.objects.exists()


def test_imports_record_every_line_or_none(treasurer: User, member: User) -> None:
    client = client_for(treasurer)
    bad = SimpleUploadedFile(
        "dues.csv", b"member,amount,date,reference\nmira,5,2026-01-05,r-1\nghost,5,2026-01-05,r-2\n"
    )
    response = client.post("/coop/officers/dues/import", {"file": bad}, follow=True)
    assert "Line 3: no member" in response.content.decode()
    assert not DuesPayment.objects.exists()
    good = SimpleUploadedFile("dues.csv", b"member,amount,date,reference\nmira,5,2026-01-05,r-1\n")
    client.post("/coop/officers/dues/import", {"file": good})
    assert DuesPayment.objects.get().external_id == "r-1"

    group = do_create_working_group("Tech", authorised_by="Decision #71")
    do_seat_member(group, treasurer, authorised_by="Decision #71")
    entry = {"member": "mira", "group": group.pk, "hours": "2", "worked_on": "2026-02-01"}
    client.post("/coop/officers/contributions", entry)
    sheet = SimpleUploadedFile(
        "hours.csv", b"member,hours,date,group\nmira,3,2026-02-02,Tech\nmira,0,2026-02-03,Tech\n"
    )
    assert "Line 3" in client.post("/coop/officers/contributions/import", {"file": sheet}, follow=True).content.decode()
    assert list(ContributionRecord.objects.values_list("hours", flat=True)) == [Decimal(2)]


def test_an_allocation_issues_statements_that_add_up(treasurer: User, member: User) -> None:
    for user in [member, make_member(username="nina"), make_member(username="omar")]:
        DuesPaymentFactory.create(user=user, amount=Decimal("4.00"), paid_on=date(2026, 3, 1))
    body = {
        "label": "FY2026",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "surplus": "100.00",
        "reserve_percent": "30",
        "dues_percent": "100",
        "hours_percent": "0",
        "posts_percent": "0",
    }
    client = client_for(treasurer)
    refused = client.post("/coop/officers/patronage", body, follow=True)
    assert "assembly decision" in refused.content.decode()
    assert not PatronageStatement.objects.exists()
    page = client.post("/coop/officers/patronage", body | {"authorised_by": "Decision #72"}, follow=True)
    text = page.content.decode()
    # 70.00 over three equal measures: 23.34 + 23.33 + 23.33.
    assert "23.34 USD" in text
    assert "23.33 USD" in text
    assert "<strong>70.00 USD</strong>" in text
    assert sum(PatronageStatement.objects.values_list("amount", flat=True)) == Decimal("70.00")
    assert client_for(member).get(page.redirect_chain[-1][0]).status_code == 403


def test_the_deletion_page_says_what_happens_to_a_paid_share(member: User) -> None:
    page = client_for(member).get("/coop/deletion").content.decode()
    assert "buys them back for at most their nominal value, 10.00 USD, never more" in page
    assert "365 days later" in page


def test_a_leaving_members_shares_are_redeemed_at_most_at_nominal_value(
    treasurer: User, member: User, member_share: ShareClass
) -> None:
    check_resign_member(member)
    do_resign_member(member)
    client = client_for(treasurer)
    page = client.get("/coop/officers").content.decode()
    assert "mira: 1 Member share (10.00 USD at nominal value)" in page
    body = {"member": "mira", "share_class": member_share.pk, "quantity": 1}
    refused = client.post("/coop/officers/redemptions", body | {"price_per_share": "10.01"}, follow=True)
    assert "at most at their nominal value" in refused.content.decode()
    assert holdings_of(member.pk) == {member_share.pk: 1}
    done = client.post("/coop/officers/redemptions", body, follow=True).content.decode()
    assert "Redemption recorded: 10.00 USD" in done
    assert holdings_of(member.pk) == {}
    assert "Nobody who is leaving holds shares." in done
