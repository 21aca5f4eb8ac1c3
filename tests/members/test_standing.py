"""Good standing computed from dues: the bylaws' grace months within the window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.lifecycle import check_suspend_member, do_suspend_member
from members.eligibility import eligible_voter_ids
from members.models import DuesPayment, DuesTier, DuesTierChoice, User
from members.standing import add_months, first_of_month, is_in_good_standing, paid_by_month, standing_at
from tests.factories.members import DuesPaymentFactory, make_member


def months_ago(count: int) -> datetime:
    """Return the middle of the month `count` months before this one."""
    month = add_months(first_of_month(timezone.localdate()), -count)
    return datetime(month.year, month.month, 15, 12, tzinfo=UTC)


def pay(user: User, months_back: int, amount: str = "5.00", months: int = 1) -> DuesPayment:
    period = first_of_month(months_ago(months_back).date())
    return DuesPaymentFactory.create(user=user, period=period, amount=Decimal(amount), months=months)


def test_add_months_crosses_years() -> None:
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


def test_multi_month_payments_spread_evenly() -> None:
    payment = DuesPayment(period=date(2026, 11, 1), months=3, amount=Decimal("9.00"))
    assert paid_by_month([payment]) == {
        date(2026, 11, 1): Decimal(3),
        date(2026, 12, 1): Decimal(3),
        date(2027, 1, 1): Decimal(3),
    }


@pytest.mark.django_db
def test_new_members_owe_nothing_yet(member_share: object) -> None:
    user = make_member()
    standing = standing_at(user.pk)
    assert standing.unpaid_months == []
    assert standing.in_good_standing


@pytest.mark.django_db
def test_three_unpaid_months_end_good_standing(member_share: object) -> None:
    user = make_member(at=months_ago(6))
    # Months due: the five complete months after the admission month.
    assert len(standing_at(user.pk).unpaid_months) == 5
    assert not is_in_good_standing(user.pk)
    pay(user, 5)
    pay(user, 4)
    assert standing_at(user.pk).in_arrears
    pay(user, 3)
    standing = standing_at(user.pk)
    assert len(standing.unpaid_months) == 2
    assert standing.in_good_standing


@pytest.mark.django_db
def test_payments_below_the_minimum_do_not_count(member_share: object) -> None:
    user = make_member(at=months_ago(4))
    for back in (1, 2, 3):
        pay(user, back, amount="0.50")
    assert len(standing_at(user.pk).unpaid_months) == 3
    do_adopt_bylaws_version({"dues_monthly_minimum": "0.50"}, authorised_by="Decision #8")
    assert standing_at(user.pk).in_good_standing


@pytest.mark.django_db
def test_one_payment_can_cover_several_months(member_share: object) -> None:
    user = make_member(at=months_ago(5))
    pay(user, 4, amount="12.00", months=4)
    assert standing_at(user.pk).unpaid_months == []


@pytest.mark.django_db
def test_payments_recorded_later_do_not_change_a_past_standing(member_share: object) -> None:
    user = make_member(at=months_ago(6))
    before = timezone.now()
    for back in (1, 2, 3, 4, 5):
        pay(user, back)
    assert standing_at(user.pk).in_good_standing
    assert not standing_at(user.pk, before).in_good_standing


@pytest.mark.django_db
def test_suspended_members_are_not_in_good_standing(member: User) -> None:
    do_suspend_member(check_suspend_member(member, reason="Rule 1", authorised_by="Decision #1"))
    standing = standing_at(member.pk)
    assert not standing.in_arrears
    assert not standing.in_good_standing
    assert standing_at(member.pk, timezone.now() - timedelta(days=400)).status is None


def choose_tier_at(user: User, tier: DuesTier, at: datetime) -> None:
    DuesTierChoice.objects.create(user=user, tier=tier, chosen_at=at)


@pytest.mark.django_db
def test_months_under_a_hardship_waiver_are_not_owed(member_share: object) -> None:
    user = make_member(at=months_ago(6))
    waiver = DuesTier.objects.create(name="Hardship", monthly_amount=Decimal(0), hardship_waiver=True)
    paying = DuesTier.objects.create(name="Standard", monthly_amount=Decimal(5))
    choose_tier_at(user, waiver, months_ago(6))
    standing = standing_at(user.pk)
    assert standing.unpaid_months == []
    assert len(standing.waived_months) == 5
    assert standing.in_good_standing
    # Back on a paying tier three months ago: that month (chosen mid-month) is still waived, the two after are owed.
    choose_tier_at(user, paying, months_ago(3))
    standing = standing_at(user.pk)
    assert len(standing.waived_months) == 3
    assert len(standing.unpaid_months) == 2
    assert standing.in_good_standing
    assert eligible_voter_ids(timezone.now(), among=[user.pk]) == [user.pk]


@pytest.mark.django_db
def test_a_waiver_does_not_forgive_months_already_owed(member_share: object) -> None:
    user = make_member(at=months_ago(6))
    waiver = DuesTier.objects.create(name="Hardship", monthly_amount=Decimal(0), hardship_waiver=True)
    choose_tier_at(user, waiver, timezone.now())
    # The waiver covers the months from the one it was chosen in; arrears already owed stay owed.
    assert standing_at(user.pk, months_ago(1)).in_arrears
    assert standing_at(user.pk).waived_months == []
    assert standing_at(user.pk).in_arrears
    assert eligible_voter_ids(timezone.now(), among=[user.pk]) == []
