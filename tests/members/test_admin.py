"""The admin shows the co-op's records read-only and admits applicants through the action."""

from __future__ import annotations

import pytest
from django.test import Client

from members.actions.register import do_record_paid_subscription
from members.models import Membership, MembershipStatus, ShareClass, User
from tests.factories.members import UserFactory, make_member, make_membership


@pytest.mark.django_db
def test_admin_admits_paid_applicants_and_reports_the_others(
    client: Client, applicant: User, member_share: ShareClass
) -> None:
    admin = make_member(username="root", is_superuser=True, is_staff=True)
    unpaid = UserFactory.create(username="late")
    make_membership(unpaid, MembershipStatus.APPLICANT)
    do_record_paid_subscription(applicant, member_share, 1, approved_by=None, authorised_by="Decision #3")
    client.force_login(admin)
    selected = Membership.objects.filter(user__in=[applicant, unpaid]).values_list("pk", flat=True)
    response = client.post(
        "/admin/members/membership/",
        {"action": "admit_applicants", "_selected_action": [str(pk) for pk in selected]},
        follow=True,
    )
    assert response.status_code == 200
    assert Membership.objects.get(user=applicant).status == MembershipStatus.MEMBER
    text = response.content.decode()
    assert "Admitted april." in text
    assert "Cannot admit late" in text
    assert Membership.objects.get(user=unpaid).status == MembershipStatus.APPLICANT


@pytest.mark.django_db
def test_register_entries_cannot_be_changed_in_the_admin(client: Client, member: User) -> None:
    admin = make_member(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/members/registerentry/").status_code == 200
    assert client.get("/admin/members/registerentry/add/").status_code == 403
