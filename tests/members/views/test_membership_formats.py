"""The membership page shows money, quantities and months in the formats of the reader's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format

from members.models import Role, RoleHolding, ShareClass, User
from members.money import format_money
from tests.factories.members import DuesPaymentFactory

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("1234.50")
PERIOD = date(2026, 3, 1)


def shown_in(language: str) -> tuple[str, str]:
    """Return the amount and month as Django's format files write them in a language."""
    with translation.override(language):
        return number_format(AMOUNT, use_l10n=True, force_grouping=True), date_format(PERIOD, "YEAR_MONTH_FORMAT")


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_amounts_and_months_follow_the_members_language(member: User, member_share: ShareClass, language: str) -> None:
    payment = DuesPaymentFactory.create(user=member, amount=AMOUNT, period=PERIOD)
    User.objects.filter(pk=member.pk).update(interface_language=language)
    client = Client()
    client.force_login(member)
    page = client.get("/coop/membership").content.decode()
    amount, month = shown_in(language)
    assert f"{amount} {payment.currency}" in page
    assert month in page
    if language != "en":
        # The language's own separators, not English ones.
        assert shown_in("en")[0] not in page


def test_the_share_choice_writes_its_price_as_the_tables_do_and_roles_show_by_name(
    member: User, member_share: ShareClass
) -> None:
    RoleHolding.objects.create(user=member, role=Role.MEMBERSHIP_OFFICER, granted_at=timezone.now())
    User.objects.filter(pk=member.pk).update(interface_language="fr")
    client = Client()
    client.force_login(member)
    page = client.get("/coop/membership").content.decode()
    with translation.override("fr"):
        price = format_money(member_share.nominal_value, member_share.currency)
        role_name = str(Role.MEMBERSHIP_OFFICER.label)
    assert f"{member_share.name} ({price})</option>" in page
    assert "," in price
    assert role_name != "Membership officer"
    assert role_name in page
    assert "membership_officer" not in page
