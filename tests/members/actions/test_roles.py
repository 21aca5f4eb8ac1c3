"""Roles: granted by decisions or admins, recorded in the history, derived for members."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from members.actions.lifecycle import check_suspend_member, do_suspend_member
from members.actions.roles import check_grant_role, check_revoke_role, do_grant_role, do_revoke_role
from members.actions.working_groups import (
    check_create_working_group,
    check_seat_member,
    do_create_working_group,
    do_seat_member,
    do_unseat_member,
)
from members.errors import MemberRefused, NotPermitted
from members.models import MembershipEvent, RoleHolding, User
from members.selectors import roles_of, user_has_role, users_with_role
from tests.factories.members import make_member


@pytest.mark.django_db
def test_member_role_follows_membership(member: User, applicant: User) -> None:
    assert user_has_role(member, "member")
    assert not user_has_role(applicant, "member")
    assert not user_has_role(member, "no-such-role")


@pytest.mark.django_db
def test_grant_and_revoke_are_recorded(member: User) -> None:
    check_grant_role(member, "moderator", authorised_by="Decision #9")
    do_grant_role(member, "moderator", authorised_by="Decision #9")
    assert user_has_role(member, "moderator")
    assert users_with_role("moderator") == [member]
    check_revoke_role(member, "moderator", authorised_by="Decision #10")
    do_revoke_role(member, "moderator", authorised_by="Decision #10")
    assert not user_has_role(member, "moderator")
    kinds = list(MembershipEvent.objects.filter(user=member, role="moderator").values_list("kind", "authorised_by"))
    assert kinds == [("role_granted", "Decision #9"), ("role_revoked", "Decision #10")]


@pytest.mark.django_db
def test_roles_lapse_while_suspended(member: User) -> None:
    do_grant_role(member, "treasurer", authorised_by="Decision #9")
    do_suspend_member(check_suspend_member(member, reason="Rule 3", authorised_by="Decision #11"))
    assert not user_has_role(member, "treasurer")
    assert roles_of(member) == []


@pytest.mark.django_db
def test_refused_grants_change_nothing(member: User, applicant: User) -> None:
    other = make_member(username="plain")
    cases: list[tuple[Callable[[], object], type[MemberRefused], str]] = [
        (lambda: check_grant_role(member, "member", authorised_by="D"), MemberRefused, "follows from the share"),
        (lambda: check_grant_role(member, "king", authorised_by="D"), MemberRefused, "Unknown role"),
        (lambda: check_grant_role(applicant, "moderator", authorised_by="D"), MemberRefused, "not a member"),
        (lambda: check_grant_role(member, "moderator", authorised_by=""), MemberRefused, "must name the decision"),
        (
            lambda: check_grant_role(member, "moderator", authorised_by="", actor_user=other),
            NotPermitted,
            "Only an admin",
        ),
        (lambda: check_revoke_role(member, "moderator", authorised_by="D"), MemberRefused, "does not hold"),
    ]
    for check, error, message in cases:
        with pytest.raises(error, match=message):
            check()
    assert not RoleHolding.objects.exists()


@pytest.mark.django_db
def test_superusers_are_admins_and_may_grant(member: User) -> None:
    admin = make_member(username="root", is_superuser=True)
    assert user_has_role(admin, "admin")
    check_grant_role(member, "moderator", authorised_by="", actor_user=admin)


@pytest.mark.django_db
def test_working_group_seats_confer_the_delegated_role(member: User) -> None:
    check_create_working_group("Community working group", delegated_role="moderator", authorised_by="Decision #2")
    group = do_create_working_group("Community working group", delegated_role="moderator", authorised_by="Decision #2")
    check_seat_member(group, member, authorised_by="Decision #2")
    seat = do_seat_member(group, member, authorised_by="Decision #2")
    assert user_has_role(member, "moderator")
    with pytest.raises(MemberRefused, match="already"):
        check_seat_member(group, member, authorised_by="Decision #2")
    do_unseat_member(seat)
    assert not user_has_role(member, "moderator")
    with pytest.raises(MemberRefused, match="cannot be delegated"):
        check_create_working_group("Owners", delegated_role="member", authorised_by="Decision #2")
