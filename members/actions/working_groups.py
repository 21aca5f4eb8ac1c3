"""Working groups: create them, seat and unseat members, record contribution hours."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
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


# Columns of a contributions CSV; `member` is a username or an email address, `group` a working group's name.
CONTRIBUTION_CSV_REQUIRED = ("member", "hours", "date", "group")


@dataclass(frozen=True)
class ContributionImport:
    """The contributions of a whole CSV that passed their checks, with their descriptions."""

    drafts: tuple[tuple[ContributionDraft, str], ...]


def _contribution_row(line: int, values: dict[str, str], recorded_by: User) -> tuple[ContributionDraft, str]:
    try:
        hours = Decimal(values["hours"])
        worked_on = date.fromisoformat(values["date"])
    except (InvalidOperation, ValueError):
        raise MemberRefused(f"Line {line}: hours must be a number and date a day such as 2026-01-31.") from None
    if not hours.is_finite():
        raise MemberRefused(f"Line {line}: hours must be a number.")
    member = values["member"]
    user = User.objects.filter(Q(username__iexact=member) | Q(email__iexact=member)).first() if member else None
    if user is None:
        raise MemberRefused(f"Line {line}: no member {member!r}.")
    group = WorkingGroup.objects.filter(name__iexact=values["group"]).first()
    if group is None:
        raise MemberRefused(f"Line {line}: no working group {values['group']!r}.")
    try:
        draft = check_record_contribution(group, user, hours=hours, worked_on=worked_on, recorded_by=recorded_by)
    except MemberRefused as exc:
        raise type(exc)(f"Line {line}: {exc}") from None
    return draft, values.get("description", "")[:200]


def check_import_contributions_csv(text: str, *, recorded_by: User) -> ContributionImport:
    """Validate every line of a CSV (member, hours, date, group[, description]); refuse the whole file if one is bad."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CONTRIBUTION_CSV_REQUIRED if name not in header]
    if missing:
        raise MemberRefused(f"The CSV lacks the column(s): {', '.join(missing)}.")
    reader.fieldnames = header
    drafts: list[tuple[ContributionDraft, str]] = []
    problems: list[str] = []
    for line, raw in enumerate(reader, start=2):
        values = {key: (value or "").strip() for key, value in raw.items() if key is not None}
        try:
            drafts.append(_contribution_row(line, values, recorded_by))
        except MemberRefused as exc:
            problems.append(str(exc))
    if problems:
        raise MemberRefused("Nothing was imported. " + " ".join(problems))
    if not drafts:
        raise MemberRefused("The CSV holds no contributions.")
    return ContributionImport(tuple(drafts))


def do_import_contributions_csv(checked: ContributionImport) -> list[ContributionRecord]:
    """Store every contribution of a checked CSV at once."""
    with transaction.atomic():
        return [do_record_contribution(draft, description=description) for draft, description in checked.drafts]
