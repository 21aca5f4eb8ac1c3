"""Patronage: reserves first, pools split by recorded measures, reproducible statements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.patronage import check_allocate_patronage, do_allocate_patronage
from members.actions.working_groups import (
    check_record_contribution,
    do_create_working_group,
    do_record_contribution,
    do_seat_member,
)
from members.errors import MemberRefused
from members.models import PatronageAllocation, PatronageStatement, ShareClass, User
from members.patronage import Formula, Pool, divide_surplus, redivide
from tests.factories.federation import LocalActorFactory
from tests.factories.members import DuesPaymentFactory, make_member
from tests.factories.timeline import StatusFactory

YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)


def use_and_work() -> Formula:
    return Formula(
        reserve_fraction=Decimal("0.40"),
        pools=(
            Pool("Use", Decimal("0.5"), "dues_paid"),
            Pool("Work", Decimal("0.5"), "contribution_hours", cap=Decimal("100.00")),
        ),
    )


def test_a_pool_that_does_not_divide_evenly_is_handed_out_whole() -> None:
    formula = Formula(Decimal("0.30"), (Pool("Use", Decimal("1"), "dues_paid"),))
    division = divide_surplus(Decimal("100.00"), formula, {"Use": {1: Decimal(1), 2: Decimal(1), 3: Decimal(1)}})
    # 70.00 over three: the leftover cent goes to the largest remainder, ties to the lowest id.
    assert [line.amount for line in division.lines] == [Decimal("23.34"), Decimal("23.33"), Decimal("23.33")]
    assert division.reserve == Decimal("30.00")
    odd = divide_surplus(Decimal("1000.01"), formula, {"Use": {1: Decimal(7), 2: Decimal(5), 3: Decimal(1)}})
    assert sum(line.amount for line in odd.lines) == Decimal("700.01")
    assert odd.reserve + sum(line.amount for line in odd.lines) == Decimal("1000.01")


def test_division_adds_up_and_rounds_down_to_reserves() -> None:
    division = divide_surplus(
        Decimal("1000.00"), use_and_work(), {"Use": {1: Decimal(10), 2: Decimal(20)}, "Work": {1: Decimal(3)}}
    )
    amounts = {(line.user_id, line.pool): line.amount for line in division.lines}
    # 600 distributable: 300 to use (100/200), 300 to work, capped at 100.
    assert amounts == {(1, "Use"): Decimal("100.00"), (2, "Use"): Decimal("200.00"), (1, "Work"): Decimal("100.00")}
    assert division.reserve == Decimal("600.00")


@given(
    st.decimals(min_value=0, max_value=100000, places=2),
    st.dictionaries(st.integers(1, 30), st.decimals(min_value=0, max_value=500, places=2), max_size=12),
)
def test_division_never_hands_out_more_than_the_surplus(surplus: Decimal, dues: dict[int, Decimal]) -> None:
    division = divide_surplus(surplus, use_and_work(), {"Use": dues, "Work": dues})
    assert division.reserve >= to_cents_floor(surplus * Decimal("0.40"))
    assert division.reserve + sum(line.amount for line in division.lines) == surplus
    assert all(line.amount >= 0 for line in division.lines)
    use = [line.amount for line in division.lines if line.pool == "Use"]
    if use:
        # The uncapped pool is handed out to the cent.
        assert sum(use) == to_cents_floor((surplus - to_cents_floor(surplus * Decimal("0.40"))) * Decimal("0.5"))


def to_cents_floor(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN")


@pytest.mark.django_db
def test_allocation_stores_inputs_and_statements_that_recompute(member: User, member_share: ShareClass) -> None:
    other = make_member(username="nina")
    DuesPaymentFactory.create(user=member, amount=Decimal("60.00"), paid_on=date(2026, 3, 1))
    DuesPaymentFactory.create(user=other, amount=Decimal("20.00"), paid_on=date(2026, 4, 1))
    DuesPaymentFactory.create(user=other, amount=Decimal("99.00"), paid_on=date(2025, 4, 1))
    group = do_create_working_group("Tech", authorised_by="Decision #30")
    do_seat_member(group, other, authorised_by="Decision #30")
    do_record_contribution(
        check_record_contribution(group, other, hours=Decimal(12), worked_on=date(2026, 5, 2), recorded_by=other)
    )
    formula = use_and_work()
    allocation = do_allocate_patronage(
        check_allocate_patronage(
            "FY2026",
            period_start=YEAR_START,
            period_end=YEAR_END,
            surplus=Decimal("1000"),
            formula=formula,
            authorised_by="Decision #31",
        )
    )
    lines = {(s.user.username, s.pool): (s.measure_value, s.amount) for s in PatronageStatement.objects.all()}
    assert lines == {
        ("mira", "Use"): (Decimal("60.00"), Decimal("225.00")),
        ("nina", "Use"): (Decimal("20.00"), Decimal("75.00")),
        ("nina", "Work"): (Decimal("12.00"), Decimal("100.00")),
    }
    assert allocation.reserve_amount == Decimal("600.00")
    recomputed = redivide(allocation.surplus, allocation.formula, allocation.inputs)
    assert recomputed.reserve == allocation.reserve_amount
    assert {(line.user_id, line.pool, line.amount) for line in recomputed.lines} == {
        (s.user_id, s.pool, s.amount) for s in PatronageStatement.objects.all()
    }


@pytest.mark.django_db
def test_capital_interest_only_if_the_bylaws_allow_and_capped(member: User, member_share: ShareClass) -> None:
    capital = Formula(Decimal("0.5"), (Pool("Capital", Decimal("1"), "shares"),), capital_rate=Decimal("0.030"))
    arguments = {"period_start": YEAR_START, "period_end": YEAR_END, "surplus": Decimal(500), "formula": capital}
    with pytest.raises(MemberRefused, match="do not allow interest on capital"):
        check_allocate_patronage("FY", authorised_by="Decision #32", **arguments)  # type: ignore[arg-type]
    do_adopt_bylaws_version(
        {"capital_interest_allowed": True, "capital_interest_max_rate": "0.03"}, authorised_by="Decision #33"
    )
    draft = check_allocate_patronage("FY", authorised_by="Decision #32", **arguments)  # type: ignore[arg-type]
    allocation = do_allocate_patronage(draft)
    statement = PatronageStatement.objects.get(allocation=allocation)
    # 3% of a 10.00 share: the cap, however large the pool.
    assert (statement.measure_value, statement.amount) == (Decimal("10.00"), Decimal("0.30"))
    assert allocation.reserve_amount == Decimal("499.70")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("formula", "authority", "message"),
    [
        (
            Formula(Decimal("0.1"), (Pool("Use", Decimal("1"), "dues_paid"),)),
            "D",
            "Reserves must take between 30% and 100%",
        ),
        (Formula(Decimal("0.3"), ()), "D", "at least one pool"),
        (
            Formula(Decimal("0.3"), (Pool("A", Decimal("0.6"), "dues_paid"), Pool("B", Decimal("0.6"), "dues_paid"))),
            "D",
            "add up to at most 1",
        ),
        (Formula(Decimal("0.3"), (Pool("A", Decimal("1"), "likes"),)), "D", "Unknown measure"),
        (Formula(Decimal("0.3"), (Pool("A", Decimal("1"), "dues_paid"),)), " ", "assembly decision"),
    ],
)
def test_refused_allocations_store_nothing(formula: Formula, authority: str, message: str) -> None:
    with pytest.raises(MemberRefused, match=message):
        check_allocate_patronage(
            "FY",
            period_start=YEAR_START,
            period_end=YEAR_END,
            surplus=Decimal(100),
            formula=formula,
            authorised_by=authority,
        )
    assert not PatronageAllocation.objects.exists()


@pytest.mark.django_db
def test_treasurers_allocate_only_when_the_bylaws_leave_patronage_to_them(member: User, treasurer: User) -> None:
    formula = Formula(Decimal("0.3"), (Pool("Use", Decimal("1"), "dues_paid"),))
    arguments = {"period_start": YEAR_START, "period_end": YEAR_END, "surplus": Decimal(100), "formula": formula}
    with pytest.raises(MemberRefused, match="assembly decision"):
        check_allocate_patronage("FY", authorised_by="", actor_user=treasurer, **arguments)  # type: ignore[arg-type]
    do_adopt_bylaws_version({"assembly_decides_patronage": False}, authorised_by="Decision #34")
    with pytest.raises(MemberRefused, match="treasurer or an admin"):
        check_allocate_patronage("FY", authorised_by="", actor_user=member, **arguments)  # type: ignore[arg-type]
    draft = check_allocate_patronage("FY", authorised_by="", actor_user=treasurer, **arguments)  # type: ignore[arg-type]
    assert draft.authorised_by == "Treasurer theo"


@pytest.mark.django_db
def test_a_pool_shared_by_posts_counts_what_each_member_wrote_in_the_period(
    member: User, member_share: ShareClass
) -> None:
    nina = make_member(username="nina")
    writer, other = LocalActorFactory.create(user=member), LocalActorFactory.create(user=nina)
    in_year = datetime(2026, 6, 1, 12, tzinfo=UTC)
    for _ in range(3):
        StatusFactory.create(account=writer, created_at=in_year)
    original = StatusFactory.create(account=other, created_at=in_year)
    StatusFactory.create(account=writer, created_at=in_year, reblog_of=original)  # a boost is not writing
    StatusFactory.create(account=other, created_at=datetime(2025, 12, 31, 12, tzinfo=UTC))  # before the period
    formula = Formula(Decimal("0.40"), (Pool("Posts", Decimal("1"), "posts"),))
    allocation = do_allocate_patronage(
        check_allocate_patronage(
            "FY2026", period_start=YEAR_START, period_end=YEAR_END, surplus=Decimal("100.00"), formula=formula,
            authorised_by="Decision #40",
        )
    )  # fmt: skip
    amounts = dict(allocation.statements.values_list("user__username", "amount"))
    assert amounts == {member.username: Decimal("45.00"), "nina": Decimal("15.00")}
    assert sum(amounts.values()) + allocation.reserve_amount == Decimal("100.00")
