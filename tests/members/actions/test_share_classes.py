"""Share classes: created and changed by the assembly's decision or, if the bylaws allow, by treasurers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.register import check_redeem_shares, do_record_paid_subscription
from members.actions.share_classes import (
    check_change_share_class,
    check_create_share_class,
    do_change_share_class,
    do_create_share_class,
)
from members.errors import MemberRefused, NotPermitted
from members.models import ShareClass, User

pytestmark = pytest.mark.django_db


def test_the_assembly_creates_share_classes_by_default(treasurer: User) -> None:
    with pytest.raises(NotPermitted, match="reserve share classes to the assembly"):
        check_create_share_class("Supporter", Decimal(25), actor_user=treasurer)
    draft = check_create_share_class(
        "Supporter", Decimal(25), carries_vote=False, redeemable=False, authorised_by="Decision #7"
    )
    share_class = do_create_share_class(draft)
    assert (share_class.carries_vote, share_class.redeemable, share_class.nominal_value) == (False, False, Decimal(25))


def test_treasurers_create_classes_when_the_bylaws_leave_it_to_them(treasurer: User, member: User) -> None:
    do_adopt_bylaws_version({"assembly_decides_share_classes": False}, authorised_by="Decision #8")
    with pytest.raises(NotPermitted, match="treasurer or an admin"):
        check_create_share_class("Supporter", Decimal(25), actor_user=member)
    assert do_create_share_class(check_create_share_class("Supporter", Decimal(25), actor_user=treasurer)).pk


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": " "}, "needs a name"),
        ({"name": "member share"}, "exists already"),
        ({"nominal_value": Decimal(0)}, "must be positive"),
        ({"nominal_value": Decimal("1.005")}, "whole cents"),
        ({"min_per_member": 3, "max_per_member": 2}, "below the minimum"),
        ({"currency": "$"}, "three-letter"),
    ],
)
def test_refused_classes_store_nothing(member_share: ShareClass, arguments: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"name": "Supporter", "nominal_value": Decimal(25), "authorised_by": "Decision #9"}
    values.update(arguments)
    with pytest.raises(MemberRefused, match=message):
        check_create_share_class(**values)  # type: ignore[arg-type]
    assert list(ShareClass.objects.values_list("name", flat=True)) == ["Member share"]


def test_a_class_on_the_register_keeps_its_value_and_its_holders_within_limits(
    member: User, member_share: ShareClass
) -> None:
    with pytest.raises(MemberRefused, match="nominal value cannot change"):
        check_change_share_class(member_share, nominal_value=Decimal(20), authorised_by="Decision #10")
    with pytest.raises(MemberRefused, match="fewer than the new minimum"):
        check_change_share_class(member_share, min_per_member=2, max_per_member=5, authorised_by="Decision #10")
    with pytest.raises(MemberRefused, match="Nothing would change"):
        check_change_share_class(member_share, authorised_by="Decision #10")
    change = check_change_share_class(member_share, name="Founder share", clear_max=True, authorised_by="D #11")
    do_change_share_class(change)
    member_share.refresh_from_db()
    assert (member_share.name, member_share.max_per_member, member_share.nominal_value) == (
        "Founder share",
        None,
        Decimal(10),
    )


def test_a_class_that_is_not_redeemable_is_bought_back_only_on_a_decision(member: User, treasurer: User) -> None:
    supporter = do_create_share_class(
        check_create_share_class("Supporter", Decimal(5), min_per_member=0, redeemable=False, authorised_by="D #12")
    )
    do_record_paid_subscription(member, supporter, 2, approved_by=None, authorised_by="D #12")
    with pytest.raises(MemberRefused, match="not redeemable"):
        check_redeem_shares(member, supporter, 2, approved_by=treasurer)
    assert check_redeem_shares(member, supporter, 2, approved_by=None, authorised_by="D #13").quantity == 2
