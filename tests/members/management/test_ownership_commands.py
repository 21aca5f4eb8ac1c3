"""Ownership commands: share_classes, dues_tiers, import_contributions and allocate_patronage."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from members.actions.working_groups import do_create_working_group, do_seat_member
from members.models import ContributionRecord, DuesTier, PatronageAllocation, ShareClass, User
from tests.factories.members import DuesPaymentFactory, make_member

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_share_classes_need_the_decision_the_bylaws_require(member: User, member_share: ShareClass) -> None:
    with pytest.raises(CommandError, match="reserve share classes to the assembly"):
        run("share_classes", "create", "Supporter", "--nominal-value", "25")
    run(
        "share_classes", "create", "Supporter", "--nominal-value", "25", "--carries-vote", "no", "--authorised-by", "D1"
    )
    run("share_classes", "change", "Supporter", "--redeemable", "no", "--max", "4", "--authorised-by", "D2")
    supporter = ShareClass.objects.get(name="Supporter")
    assert (supporter.carries_vote, supporter.redeemable, supporter.max_per_member) == (False, False, 4)
    with pytest.raises(CommandError, match="nominal value cannot change"):
        run("share_classes", "change", "Member share", "--nominal-value", "11", "--authorised-by", "D3")
    assert "one vote per member" in run("share_classes", "list")


def test_dues_tiers_by_a_treasurer(treasurer: User, member: User) -> None:
    with pytest.raises(CommandError, match="treasurer or an admin"):
        run("dues_tiers", "create", "Low", "--monthly-amount", "1", "--treasurer", "mira")
    run("dues_tiers", "create", "Low", "--monthly-amount", "1", "--sliding-scale-max", "10", "--treasurer", "theo")
    run("dues_tiers", "change", "Low", "--period-months", "12", "--sliding-scale-max", "none", "--treasurer", "theo")
    tier = DuesTier.objects.get()
    assert (tier.period_months, tier.sliding_scale_max) == (12, None)
    assert "paid every 12 month(s)" in run("dues_tiers", "list")


def test_contributions_and_an_allocation_that_adds_up(treasurer: User, member: User, tmp_path: Path) -> None:
    group = do_create_working_group("Tech", authorised_by="Decision #80")
    do_seat_member(group, treasurer, authorised_by="Decision #80")
    sheet = tmp_path / "hours.csv"
    sheet.write_text("member,hours,date,group\nmira,1,2026-02-01,Tech\nmira,50,2026-02-02,Tech\n")
    with pytest.raises(CommandError, match="Line 3"):
        run("import_contributions", str(sheet), "--recorder", "theo")
    assert not ContributionRecord.objects.exists()
    sheet.write_text("member,hours,date,group\nmira,1,2026-02-01,Tech\ntheo,2,2026-02-02,Tech\n")
    assert "Recorded 2" in run("import_contributions", str(sheet), "--recorder", "theo")

    DuesPaymentFactory.create(user=make_member(username="nina"), amount=Decimal(3), paid_on=date(2026, 3, 1))
    arguments = ["FY2026", "--start", "2026-01-01", "--end", "2026-12-31", "--surplus", "100.00", "--reserve", "0.3"]
    pools = ["--pool", "Work:0.5:contribution_hours", "--pool", "Use:0.5:dues_paid"]
    with pytest.raises(CommandError, match="assembly decision"):
        run("allocate_patronage", *arguments, *pools)
    with pytest.raises(CommandError, match="Unknown measure"):
        run("allocate_patronage", *arguments, "--pool", "Likes:1:likes", "--authorised-by", "Decision #81")
    assert not PatronageAllocation.objects.exists()
    output = run("allocate_patronage", *arguments, *pools, "--authorised-by", "Decision #81")
    # 35.00 for work split 1:2 does not divide evenly: 11.67 and 23.33.
    assert "mira\tWork\t1.00 contribution_hours\t11.67 USD" in output
    assert "theo\tWork\t2.00 contribution_hours\t23.33 USD" in output
    assert "allocated to members 70.00 USD" in output
    assert "allocated to members 70.00 USD" in run("allocate_patronage", "FY2026", "--show")
