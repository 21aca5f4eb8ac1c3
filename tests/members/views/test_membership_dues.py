"""On the membership page a member chooses a dues tier, a hardship waiver among them, and sees their standing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from members.models import DuesTier, DuesTierChoice, Membership, ShareClass, User


@pytest.fixture
def tiers(db: None) -> tuple[DuesTier, DuesTier]:
    return (
        DuesTier.objects.create(name="Standard", monthly_amount=Decimal(5)),
        DuesTier.objects.create(name="Hardship", monthly_amount=Decimal(0), hardship_waiver=True),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_member_chooses_a_hardship_tier_and_is_told_what_it_waives(
    member: User, member_share: ShareClass, tiers: tuple[DuesTier, DuesTier]
) -> None:
    client = signed_in(member)
    page = client.get("/coop/membership").content.decode()
    assert "Your dues tier" in page
    assert "You are in good standing: no month of dues is unpaid" in page
    response = client.post("/coop/dues-tier", {"tier": tiers[1].pk}, follow=True)
    assert "from this month, you owe no dues" in response.content.decode()
    assert Membership.objects.get(user=member).dues_tier == tiers[1]
    assert DuesTierChoice.objects.filter(user=member, tier=tiers[1]).count() == 1
    assert "Your dues tier: Hardship" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"tier": "999999"}, {"tier": "not a number"}])
def test_a_choice_that_is_not_a_tier_is_refused_and_changes_nothing(
    member: User, member_share: ShareClass, tiers: tuple[DuesTier, DuesTier], data: dict[str, str]
) -> None:
    response = signed_in(member).post("/coop/dues-tier", data, follow=True)
    assert "Choose one of the dues tiers." in response.content.decode()
    assert Membership.objects.get(user=member).dues_tier is None
    assert not DuesTierChoice.objects.exists()


@pytest.mark.django_db
def test_choosing_the_tier_one_is_on_is_refused_with_a_message(
    member: User, member_share: ShareClass, tiers: tuple[DuesTier, DuesTier]
) -> None:
    client = signed_in(member)
    client.post("/coop/dues-tier", {"tier": tiers[0].pk})
    response = client.post("/coop/dues-tier", {"tier": tiers[0].pk}, follow=True)
    assert "You are on the Standard tier already." in response.content.decode()
    assert DuesTierChoice.objects.filter(user=member).count() == 1
