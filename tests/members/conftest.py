"""Fixtures for the members tests: share classes and people in each role."""

from __future__ import annotations

from decimal import Decimal

import pytest

from members.actions.enrolment import member_share_class
from members.actions.roles import do_grant_role
from members.models import Role, ShareClass, User
from tests.factories.members import ShareClassFactory, UserFactory, make_member, make_membership


@pytest.fixture
def member_share(db: None) -> ShareClass:
    """Return the voting member share (one per member, 10.00)."""
    return member_share_class()


@pytest.fixture
def investor_share(db: None) -> ShareClass:
    """Return a transferable investor class that carries no vote."""
    return ShareClassFactory.create(
        name="Investor share", nominal_value=Decimal("50.00"), carries_vote=False, transferable=True, max_per_member=20
    )


@pytest.fixture
def member(member_share: ShareClass) -> User:
    """Return a member in good standing."""
    return make_member(username="mira")


@pytest.fixture
def applicant(db: None) -> User:
    """Return an applicant who has not paid yet."""
    user = UserFactory.create(username="april")
    make_membership(user, "applicant")
    return user


def _officer(username: str, role: Role) -> User:
    user = make_member(username=username)
    do_grant_role(user, role, authorised_by="Test decision")
    return user


@pytest.fixture
def officer(member_share: ShareClass) -> User:
    """Return a membership officer."""
    return _officer("olga", Role.MEMBERSHIP_OFFICER)


@pytest.fixture
def treasurer(member_share: ShareClass) -> User:
    """Return a treasurer."""
    return _officer("theo", Role.TREASURER)
