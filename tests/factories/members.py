"""Factories for the members app."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from members.actions.enrolment import do_enrol_member
from members.actions.lifecycle import (
    check_suspend_member,
    do_apply_for_membership,
    do_expel_member,
    do_resign_member,
    do_suspend_member,
)
from members.models import DuesPayment, DuesTier, Membership, MembershipStatus, ShareClass, User

TEST_AUTHORITY = "Test register"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or "correct horse battery staple")
        if create:
            self.save(update_fields=["password"])


class ShareClassFactory(factory.django.DjangoModelFactory[ShareClass]):
    class Meta:
        model = ShareClass

    name = factory.Sequence(lambda n: f"Class {n}")
    nominal_value = Decimal("10.00")


class DuesTierFactory(factory.django.DjangoModelFactory[DuesTier]):
    class Meta:
        model = DuesTier

    name = factory.Sequence(lambda n: f"Tier {n}")
    monthly_amount = Decimal("5.00")


class DuesPaymentFactory(factory.django.DjangoModelFactory[DuesPayment]):
    class Meta:
        model = DuesPayment

    user = factory.SubFactory(UserFactory)
    period = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    amount = Decimal("5.00")
    paid_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SelfAttribute("user")
    recorded_at = factory.LazyFunction(timezone.now)


def make_membership(user: User, status: str = MembershipStatus.MEMBER, *, at: datetime | None = None) -> Membership:
    """Give a user a membership in the given status, through the same actions the app uses.

    Members hold the paid minimum of the voting member share from `at` (now
    if None), and so are in good standing.
    """
    do_apply_for_membership(user, at=at)
    if status != MembershipStatus.APPLICANT:
        do_enrol_member(user, approved_by=None, authorised_by=TEST_AUTHORITY, at=at)
    if status == MembershipStatus.SUSPENDED:
        do_suspend_member(check_suspend_member(user, reason="Test suspension", authorised_by=TEST_AUTHORITY))
    elif status == MembershipStatus.RESIGNED:
        do_resign_member(user, reason="Test resignation")
    elif status == MembershipStatus.EXPELLED:
        do_expel_member(user, reason="Test expulsion", authorised_by=TEST_AUTHORITY)
    return Membership.objects.get(user=user)


def make_member(*, at: datetime | None = None, **user_fields: Any) -> User:
    """Return a new user who is a member in good standing (since `at`, if given)."""
    user = UserFactory.create(**user_fields)
    make_membership(user, at=at)
    return user
