"""The membership page shows the member's own patronage statements, and nobody else's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from members.actions.patronage import check_allocate_patronage, do_allocate_patronage
from members.models import MembershipStatus, ShareClass, User
from members.patronage import Formula, Pool
from tests.factories.members import DuesPaymentFactory, UserFactory, make_member, make_membership


@pytest.mark.django_db
def test_membership_page_lists_my_patronage_only(member: User, member_share: ShareClass) -> None:
    other = make_member(username="nina")
    DuesPaymentFactory.create(user=member, amount=Decimal("60.00"), paid_on=date(2026, 3, 1))
    DuesPaymentFactory.create(user=other, amount=Decimal("20.00"), paid_on=date(2026, 4, 1))
    do_allocate_patronage(
        check_allocate_patronage(
            "FY2026",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            surplus=Decimal("1000"),
            formula=Formula(reserve_fraction=Decimal("0.40"), pools=(Pool("Use", Decimal("1"), "dues_paid"),)),
            authorised_by="Decision #31",
        )
    )
    client = Client()
    client.force_login(member)
    page = client.get("/coop/membership").content.decode()
    assert "FY2026 (Use)" in page
    assert "450.00 USD" in page
    assert "150.00" not in page


@pytest.mark.django_db
def test_a_new_member_without_payments_is_told_why_they_are_in_good_standing() -> None:
    newcomer = make_member(username="nina")
    client = Client()
    client.force_login(newcomer)
    page = client.get("/coop/membership").content.decode()
    assert "(in good standing)" in page
    assert "No dues payments recorded yet." in page
    assert "no month of dues is unpaid" in page


@pytest.mark.django_db
def test_an_applicant_is_told_the_next_steps() -> None:
    applicant = UserFactory.create(username="olga")
    make_membership(applicant, MembershipStatus.APPLICANT)
    client = Client()
    client.force_login(applicant)
    page = client.get("/coop/membership").content.decode()
    assert "What happens next" in page
    assert "Request your member share below." in page
