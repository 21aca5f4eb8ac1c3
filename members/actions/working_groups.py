"""Working groups: create them, seat and unseat members, record contribution hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members.errors import MemberRefused, NotPermitted
from members.models import ContributionRecord, MembershipStatus, Role, User, WorkingGroup, WorkingGroupSeat
from members.selectors import membership_status, user_has_role

MAX_HOURS_PER_RECORD = Decimal(24)


def check_create_working_group(name: str, *, delegated_role: str = "", authorised_by: str) -> None:
    """Validate a new working group, created by a decision."""
    if not name.strip():
        raise MemberRefused("A working group needs a name.")
    if WorkingGroup.objects.filter(name__iexact=name.strip()).exists():
        raise MemberRefused(f"A working group named {name!r} exists already.")
    if delegated_role and (delegated_role not in Role.values or delegated_role == Role.MEMBER):
        raise MemberRefused(f"{delegated_role!r} cannot be delegated to a working group.")
    if not authorised_by.strip():
        raise MemberRefused("A working group must name the decision that created it.")


def do_create_working_group(
    name: str, *, delegated_role: str = "", authorised_by: str, description: str = ""
) -> WorkingGroup:
    """Create a working group."""
    return WorkingGroup.objects.create(
        name=name.strip(), delegated_role=delegated_role, authorised_by=authorised_by.strip(), description=description
    )


def check_seat_member(group: WorkingGroup, user: User, *, authorised_by: str) -> None:
    """Validate seating a member in a group they do not sit in."""
    if membership_status(user) != MembershipStatus.MEMBER:
        raise MemberRefused(f"{user.username} is not a member and cannot join a working group.")
    if WorkingGroupSeat.objects.filter(group=group, user=user, left_at__isnull=True).exists():
        raise MemberRefused(f"{user.username} sits in {group.name} already.")
    if not authorised_by.strip():
        raise MemberRefused("A seat must name the decision or the admin that granted it.")


def do_seat_member(group: WorkingGroup, user: User, *, authorised_by: str) -> WorkingGroupSeat:
    """Give the member a seat, and with it the group's delegated role."""
    return WorkingGroupSeat.objects.create(
        group=group, user=user, joined_at=timezone.now(), authorised_by=authorised_by.strip()
    )


def check_unseat_member(group: WorkingGroup, user: User) -> WorkingGroupSeat:
    """Return the member's open seat, refusing if they have none."""
    seat = WorkingGroupSeat.objects.filter(group=group, user=user, left_at__isnull=True).first()
    if seat is None:
        raise MemberRefused(f"{user.username} does not sit in {group.name}.")
    return seat


def do_unseat_member(seat: WorkingGroupSeat) -> None:
    """Close the seat; its history remains."""
    seat.left_at = timezone.now()
    seat.save(update_fields=["left_at"])


@dataclass(frozen=True)
class ContributionDraft:
    """Hours of work for a group that passed their checks."""

    group: WorkingGroup
    user: User
    hours: Decimal
    worked_on: date
    recorded_by: User


def check_record_contribution(
    group: WorkingGroup, user: User, *, hours: Decimal, worked_on: date, recorded_by: User
) -> ContributionDraft:
    """Validate hours recorded by a seated member of the group (or an admin)."""
    seated = WorkingGroupSeat.objects.filter(group=group, user=recorded_by, left_at__isnull=True).exists()
    if not (seated or user_has_role(recorded_by, Role.ADMIN)):
        raise NotPermitted(f"Only members of {group.name} may record its contributions.")
    if not Decimal(0) < hours <= MAX_HOURS_PER_RECORD:
        raise MemberRefused(f"Hours must be more than 0 and at most {MAX_HOURS_PER_RECORD} per record.")
    if worked_on > timezone.localdate():
        raise MemberRefused("The work date is in the future.")
    if membership_status(user) not in (MembershipStatus.MEMBER, MembershipStatus.SUSPENDED):
        raise MemberRefused(f"{user.username} is not a member.")
    return ContributionDraft(group, user, hours, worked_on, recorded_by)


def do_record_contribution(draft: ContributionDraft, *, description: str = "") -> ContributionRecord:
    """Store contribution hours."""
    with transaction.atomic():
        return ContributionRecord.objects.create(
            group=draft.group,
            user=draft.user,
            hours=draft.hours,
            worked_on=draft.worked_on,
            description=description,
            recorded_by=draft.recorded_by,
            recorded_at=timezone.now(),
        )
