"""Good standing: computed from dues payments and the bylaws' dues rule, never stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from members.models import BylawsVersion, DuesPayment, DuesTierChoice, MembershipStatus
from members.selectors import admitted_at, bylaws_in_force, membership_status_at


def first_of_month(day: date) -> date:
    """Return the first day of the day's month."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """Return the first of the month `count` months after `month` (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def paid_by_month(payments: Iterable[DuesPayment]) -> dict[date, Decimal]:
    """Return the amount paid for each month, spreading multi-month payments evenly."""
    paid: defaultdict[date, Decimal] = defaultdict(Decimal)
    for payment in payments:
        share = payment.amount / payment.months
        for offset in range(payment.months):
            paid[add_months(first_of_month(payment.period), offset)] += share
    return paid


def months_due(at: datetime, admitted: datetime, bylaws: BylawsVersion) -> list[date]:
    """Return the complete months in the dues window before `at` that fall after the admission month."""
    current = first_of_month(timezone.localdate(at))
    joined = first_of_month(timezone.localdate(admitted))
    window = [add_months(current, -offset) for offset in range(1, bylaws.dues_window_months + 1)]
    return sorted(month for month in window if month > joined)


def hardship_months(choices: Sequence[tuple[datetime, bool]], months: Iterable[date]) -> list[date]:
    """Return those of `months` during which a hardship tier was in force, from (chosen_at, is_hardship) choices.

    A month counts as waived if the tier in force at its start, or any tier
    chosen during it, waives dues: a member who declares hardship mid-month
    owes nothing for that month.
    """
    ordered = sorted((first_of_month(timezone.localdate(chosen_at)), hardship) for chosen_at, hardship in choices)
    waived = []
    for month in months:
        before = [hardship for chosen, hardship in ordered if chosen < month]
        during = [hardship for chosen, hardship in ordered if chosen == month]
        if (before and before[-1]) or any(during):
            waived.append(month)
    return waived


def unpaid_months_from(
    payments: Iterable[DuesPayment],
    at: datetime,
    admitted: datetime,
    bylaws: BylawsVersion,
    choices: Sequence[tuple[datetime, bool]] = (),
) -> list[date]:
    """Return the months due whose payments (recorded by `at`) fall short of the monthly minimum.

    `choices` are the member's tier choices made by `at`, as (chosen_at,
    is_hardship): months under a hardship waiver are not owed.
    """
    paid = paid_by_month(payment for payment in payments if payment.recorded_at <= at)
    due = months_due(at, admitted, bylaws)
    waived = set(hardship_months([choice for choice in choices if choice[0] <= at], due))
    return [month for month in due if month not in waived and paid.get(month, Decimal(0)) < bylaws.dues_monthly_minimum]


def tier_choices(user_ids: Iterable[int], at: datetime) -> dict[int, list[tuple[datetime, bool]]]:
    """Return each user's dues tier choices made by `at`, as (chosen_at, is_hardship), oldest first."""
    found: dict[int, list[tuple[datetime, bool]]] = {}
    for user_id, chosen_at, hardship in (
        DuesTierChoice.objects.filter(user_id__in=list(user_ids), chosen_at__lte=at)
        .order_by("chosen_at", "id")
        .values_list("user_id", "chosen_at", "tier__hardship_waiver")
    ):
        found.setdefault(user_id, []).append((chosen_at, hardship))
    return found


@dataclass(frozen=True)
class Standing:
    """A member's standing at a moment, with what it rests on."""

    status: str | None
    unpaid_months: list[date]
    grace_months: int
    waived_months: list[date] = field(default_factory=list)

    @property
    def in_arrears(self) -> bool:
        """Return whether unpaid months reached the bylaws' limit."""
        return len(self.unpaid_months) >= self.grace_months

    @property
    def in_good_standing(self) -> bool:
        """Return whether the person is a member (not suspended) whose dues are not in arrears."""
        return self.status == MembershipStatus.MEMBER and not self.in_arrears


def standing_at(user_id: int, at: datetime | None = None) -> Standing:
    """Return a user's standing at `at` (now if None)."""
    moment = at or timezone.now()
    bylaws = bylaws_in_force(moment)
    status = membership_status_at(user_id, moment)
    admitted = admitted_at(user_id, moment)
    unpaid: list[date] = []
    waived: list[date] = []
    if admitted is not None:
        payments = DuesPayment.objects.filter(user_id=user_id, recorded_at__lte=moment)
        choices = tier_choices([user_id], moment).get(user_id, [])
        unpaid = unpaid_months_from(payments, moment, admitted, bylaws, choices)
        waived = hardship_months(choices, months_due(moment, admitted, bylaws))
    return Standing(status=status, unpaid_months=unpaid, grace_months=bylaws.dues_grace_months, waived_months=waived)


def is_in_good_standing(user_id: int, at: datetime | None = None) -> bool:
    """Return whether the user is a member in good standing at `at` (now if None)."""
    return standing_at(user_id, at).in_good_standing
