"""A member resigns from their membership page, confirming it; their shares then await the treasurer's redemption."""

from __future__ import annotations

import pytest
from django.test import Client

from members.holdings import holdings_awaiting_redemption
from members.models import Membership, MembershipEvent, MembershipStatus, ShareClass, User


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_member_resigns_after_confirming(member: User, member_share: ShareClass) -> None:
    client = signed_in(member)
    assert "Resign from the co-op" in client.get("/coop/membership").content.decode()
    page = client.post("/coop/resign", {"confirm": "on", "reason": "Moving on."}, follow=True).content.decode()
    assert "You have resigned." in page
    assert Membership.objects.get(user=member).status == MembershipStatus.RESIGNED
    assert MembershipEvent.objects.filter(user=member, reason="Moving on.").exists()
    assert [line.user.pk for line in holdings_awaiting_redemption()] == [member.pk]
    # A former member is not offered resignation again; trying anyway is refused and changes nothing.
    assert "Resign from the co-op" not in page
    again = client.post("/coop/resign", {"confirm": "on"}, follow=True).content.decode()
    assert "they are resigned" in again
    assert MembershipEvent.objects.filter(user=member, kind=MembershipEvent.Kind.RESIGNED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Tick the box to confirm that you resign."),
        ({"reason": "No box ticked."}, "Tick the box to confirm that you resign."),
        ({"confirm": "on", "reason": "x" * 501}, "Say why in at most 500 characters."),
    ],
)
def test_a_resignation_not_confirmed_or_too_long_changes_nothing(
    member: User, member_share: ShareClass, data: dict[str, str], message: str
) -> None:
    page = signed_in(member).post("/coop/resign", data, follow=True).content.decode()
    assert message in page
    assert Membership.objects.get(user=member).status == MembershipStatus.MEMBER
