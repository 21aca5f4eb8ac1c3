"""Recording dues: by treasurers, validated, imported from CSV without double counting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.dues import (
    DuesTierDraft,
    check_change_dues_tier,
    check_choose_dues_tier,
    check_create_dues_tier,
    check_import_dues_csv,
    check_import_dues_row,
    check_record_dues_payment,
    do_change_dues_tier,
    do_choose_dues_tier,
    do_create_dues_tier,
    do_import_dues_csv,
    do_record_dues_payment,
    parse_dues_csv,
    tier_settings,
)
from members.errors import MemberRefused, NotPermitted
from members.models import DuesPayment, DuesTier, DuesTierChoice, Membership, User


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
def test_tiers_of_the_sliding_scale(member: User, treasurer: User) -> None:
    tier = do_create_dues_tier(check_create_dues_tier(DuesTierDraft("Low", Decimal("1.00")), actor_user=treasurer))
    with pytest.raises(MemberRefused, match="exists already"):
        check_create_dues_tier(DuesTierDraft("low", Decimal("2.00")), actor_user=treasurer)
    do_choose_dues_tier(check_choose_dues_tier(member, tier), tier)
    assert Membership.objects.get(user=member).dues_tier == tier


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (DuesTierDraft("Free", Decimal(0)), "must be positive"),
        (DuesTierDraft(" ", Decimal(1)), "needs a name"),
        (DuesTierDraft("Odd", Decimal(1), period_months=2), "month, quarter or year"),
        (DuesTierDraft("Scale", Decimal(5), sliding_scale_max=Decimal(1)), "below its bottom"),
        (DuesTierDraft("Waived", Decimal(3), hardship_waiver=True), "pledges nothing"),
        (DuesTierDraft("Cents", Decimal("1.001")), "whole cents"),
        (DuesTierDraft("Euro", Decimal(1), currency="euro"), "three-letter"),
    ],
)
def test_refused_tiers_store_nothing(treasurer: User, draft: DuesTierDraft, message: str) -> None:
    with pytest.raises(MemberRefused, match=message):
        check_create_dues_tier(draft, actor_user=treasurer)
    assert not DuesTier.objects.exists()


@pytest.mark.django_db
def test_officers_change_tiers_unless_the_bylaws_reserve_them(member: User, treasurer: User) -> None:
    scale = DuesTierDraft("Sliding", Decimal("1.00"), period_months=12, sliding_scale_max=Decimal("10.00"))
    tier = do_create_dues_tier(check_create_dues_tier(scale, actor_user=treasurer))
    waiver = do_create_dues_tier(
        check_create_dues_tier(DuesTierDraft("Hardship", Decimal(0), hardship_waiver=True), actor_user=treasurer)
    )
    assert (tier.period_months, tier.sliding_scale_max, waiver.hardship_waiver) == (12, Decimal("10.00"), True)
    with pytest.raises(NotPermitted, match="treasurer or an admin"):
        check_create_dues_tier(DuesTierDraft("Mine", Decimal(2)), actor_user=member)
    change = check_change_dues_tier(tier, replace(tier_settings(tier), monthly_amount=Decimal(2)), actor_user=treasurer)
    assert do_change_dues_tier(change).monthly_amount == Decimal(2)
    with pytest.raises(MemberRefused, match="Nothing would change"):
        check_change_dues_tier(tier, tier_settings(tier), actor_user=treasurer)
    do_adopt_bylaws_version({"assembly_decides_dues_tiers": True}, authorised_by="Decision #40")
    with pytest.raises(NotPermitted, match="reserve dues tiers to the assembly"):
        check_change_dues_tier(tier, replace(tier_settings(tier), name="Any"), actor_user=treasurer)
    draft = check_change_dues_tier(tier, replace(tier_settings(tier), name="Any"), authorised_by="Decision #41")
    do_change_dues_tier(draft)
    tier.refresh_from_db()
    assert tier.name == "Any"


@pytest.mark.django_db
def test_a_dues_csv_is_imported_whole_or_not_at_all(member: User, treasurer: User) -> None:
    good = "member,amount,date,reference\nmira,3.33,2026-01-05,ref-1\nmira,3.33,2026-02-05,ref-2\n"
    bad = good + "nobody,1,2026-01-05,ref-3\nmira,-1,2026-01-05,ref-4\n"
    with pytest.raises(MemberRefused, match="Nothing was imported") as refusal:
        check_import_dues_csv(bad, recorded_by=treasurer)
    assert "Line 4: no member" in str(refusal.value)
    assert "Line 5: The amount must be positive" in str(refusal.value)
    with pytest.raises(MemberRefused, match="Line 2 of the CSV is malformed"):
        check_import_dues_csv("member,amount,date\nmira,x,2026-01-05\n", recorded_by=treasurer)
    assert not DuesPayment.objects.exists()
    with pytest.raises(MemberRefused, match="appears twice"):
        check_import_dues_csv(good + "mira,1,2026-03-05,ref-1\n", recorded_by=treasurer)
    with pytest.raises(NotPermitted):
        check_import_dues_csv(good, recorded_by=member)
    payments = do_import_dues_csv(check_import_dues_csv(good, recorded_by=treasurer), recorded_by=treasurer)
    assert [(p.external_id, p.amount) for p in payments] == [("ref-1", Decimal("3.33")), ("ref-2", Decimal("3.33"))]
    again = check_import_dues_csv(good, recorded_by=treasurer)
    assert (again.drafts, again.skipped) == ((), 2)


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


@pytest.mark.django_db
def test_choosing_a_tier_is_remembered_and_choosing_it_again_is_refused(member: User, treasurer: User) -> None:
    tier = do_create_dues_tier(check_create_dues_tier(DuesTierDraft("Low", Decimal("1.00")), actor_user=treasurer))
    do_choose_dues_tier(check_choose_dues_tier(member, tier), tier)
    with pytest.raises(MemberRefused, match="on the Low tier already"):
        check_choose_dues_tier(member, tier)
    assert list(DuesTierChoice.objects.filter(user=member).values_list("tier__name", flat=True)) == ["Low"]
