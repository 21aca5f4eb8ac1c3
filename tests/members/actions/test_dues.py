"""Recording dues: by treasurers, validated, imported from CSV without double counting."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.actions.dues import (
    check_choose_dues_tier,
    check_create_dues_tier,
    check_import_dues_row,
    check_record_dues_payment,
    do_choose_dues_tier,
    do_create_dues_tier,
    do_record_dues_payment,
    parse_dues_csv,
)
from members.errors import MemberRefused, NotPermitted
from members.models import DuesPayment, Membership, User


@pytest.mark.django_db
def test_treasurer_records_a_payment_for_its_month(member: User, treasurer: User) -> None:
    paid_on = date(2026, 3, 17)
    draft = check_record_dues_payment(member, amount=Decimal("5.00"), paid_on=paid_on, recorded_by=treasurer)
    payment = do_record_dues_payment(draft, recorded_by=treasurer)
    assert (payment.period, payment.months, payment.source) == (date(2026, 3, 1), 1, "manual")
    assert payment.recorded_by == treasurer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": Decimal(0)}, "must be positive"),
        ({"months": 0}, "between 1 and 24"),
        ({"months": 25}, "between 1 and 24"),
        ({"paid_on": timezone.localdate() + timedelta(days=2)}, "in the future"),
        ({"currency": "dollars"}, "three-letter"),
    ],
)
def test_refused_payments_record_nothing(
    member: User, treasurer: User, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"amount": Decimal(5), "paid_on": date(2026, 1, 5), "recorded_by": treasurer}
    arguments.update(kwargs)
    with pytest.raises(MemberRefused, match=message):
        check_record_dues_payment(member, **arguments)  # type: ignore[arg-type]
    assert not DuesPayment.objects.exists()


@pytest.mark.django_db
def test_only_treasurers_record_payments(member: User) -> None:
    with pytest.raises(NotPermitted, match="treasurer"):
        check_record_dues_payment(member, amount=Decimal(5), paid_on=date(2026, 1, 5), recorded_by=member)


@pytest.mark.django_db
def test_tiers_of_the_sliding_scale(member: User) -> None:
    check_create_dues_tier("Low", Decimal("1.00"))
    tier = do_create_dues_tier("Low", Decimal("1.00"))
    with pytest.raises(MemberRefused, match="exists already"):
        check_create_dues_tier("low", Decimal("2.00"))
    with pytest.raises(MemberRefused, match="must be positive"):
        check_create_dues_tier("Free", Decimal("0"))
    do_choose_dues_tier(check_choose_dues_tier(member, tier), tier)
    assert Membership.objects.get(user=member).dues_tier == tier


CSV = """Member,Amount,Paid_on,Currency,Period,Months,External_id
mira,5.00,2026-02-03,USD,2026-02,1,ch_1
mira@example.test,10,2026-03-03,usd,,2,ch_2
"""


@pytest.mark.django_db
def test_csv_rows_parse_and_check(member: User, treasurer: User) -> None:
    rows = parse_dues_csv(CSV)
    assert [(row.line, row.member, row.amount, row.period, row.months) for row in rows] == [
        (2, "mira", Decimal("5.00"), date(2026, 2, 1), 1),
        (3, "mira@example.test", Decimal(10), None, 2),
    ]
    draft = check_import_dues_row(rows[1], recorded_by=treasurer)
    assert (draft.user, draft.period, draft.currency, draft.source) == (member, date(2026, 3, 1), "USD", "import")


@pytest.mark.django_db
def test_csv_refusals_name_the_line(treasurer: User) -> None:
    with pytest.raises(MemberRefused, match="lacks the column"):
        parse_dues_csv("member,amount\nmira,5\n")
    with pytest.raises(MemberRefused, match="Line 2 of the CSV is malformed"):
        parse_dues_csv("member,amount,paid_on\nmira,five,2026-01-01\n")
    rows = parse_dues_csv("member,amount,paid_on\nnobody,5,2026-01-01\n")
    with pytest.raises(MemberRefused, match="Line 2: no member 'nobody'"):
        check_import_dues_row(rows[0], recorded_by=treasurer)
