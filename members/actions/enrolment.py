"""Enrol a member in one step: the paid member share and the admission (operators, demo, imports)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.actions.lifecycle import do_admit_applicant
from members.actions.register import do_record_paid_subscription
from members.errors import MemberRefused
from members.models import MembershipStatus, RegisterEntry, ShareClass, User
from members.selectors import bylaws_in_force, membership_status

OPERATOR_AUTHORITY = "Server operator (createmember)"
DEFAULT_SHARE_CLASS = "Member share"


def _first_voting_share_class() -> ShareClass | None:
    return ShareClass.objects.filter(carries_vote=True).order_by("pk").first()


def member_share_class() -> ShareClass:
    """Return the first share class that carries a vote, creating the default one if there is none.

    Two first enrolments at once (two `createmember` runs) may both find no
    class: the unique name lets one insert win, and the other, whose insert
    fails in its savepoint, reads the class the winner made.
    """
    share_class = _first_voting_share_class()
    if share_class is not None:
        return share_class
    try:
        with transaction.atomic():
            return ShareClass.objects.create(
                name=DEFAULT_SHARE_CLASS, nominal_value=Decimal("10.00"), min_per_member=1, max_per_member=1
            )
    except IntegrityError:
        # Read after the failed insert: the winner's transaction has committed by now.
        share_class = _first_voting_share_class()
    if share_class is None:
        raise MemberRefused(
            f"No share class carries a vote, and the name {DEFAULT_SHARE_CLASS!r} is taken by one that does not: "
            "create a voting share class first."
        )
    return share_class


def do_enrol_member(
    user: User,
    *,
    approved_by: User | None,
    authorised_by: str,
    share_class: ShareClass | None = None,
    at: datetime | None = None,
) -> RegisterEntry:
    """Record the applicant's minimum voting shares as paid and issued, and admit them."""
    share_class = share_class or member_share_class()
    quantity = max(bylaws_in_force().minimum_voting_shares, share_class.min_per_member)
    moment = at or timezone.now()
    with transaction.atomic():
        entry = do_record_paid_subscription(
            user,
            share_class,
            quantity,
            approved_by=approved_by,
            authorised_by=authorised_by,
            effective_date=timezone.localdate(moment),
        )
        if membership_status(user) == MembershipStatus.APPLICANT:
            do_admit_applicant(user, actor_user=approved_by, authorised_by=authorised_by, at=moment)
    return entry
