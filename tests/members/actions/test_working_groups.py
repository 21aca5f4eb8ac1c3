"""Working groups: seats and the contribution hours their members record."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.actions.working_groups import (
    check_import_contributions_csv,
    check_record_contribution,
    check_seat_member,
    check_unseat_member,
    do_create_working_group,
    do_import_contributions_csv,
    do_record_contribution,
    do_seat_member,
)
from members.errors import MemberRefused, NotPermitted
from members.models import ContributionRecord, User, WorkingGroup
from tests.factories.members import make_member


@pytest.fixture
def group(member: User) -> WorkingGroup:
    group = do_create_working_group("Tech", authorised_by="Decision #50")
    do_seat_member(group, member, authorised_by="Decision #50")
    return group


@pytest.mark.django_db
def test_seated_members_record_hours(group: WorkingGroup, member: User) -> None:
    worker = make_member(username="wanda")
    record = do_record_contribution(
        check_record_contribution(group, worker, hours=Decimal("2.5"), worked_on=date(2026, 2, 1), recorded_by=member)
    )
    assert (record.user, record.hours, record.recorded_by) == (worker, Decimal("2.5"), member)


@pytest.mark.django_db
def test_refused_contributions_record_nothing(group: WorkingGroup, member: User, applicant: User) -> None:
    outsider = make_member(username="otto")
    cases: list[tuple[dict[str, object], type[MemberRefused], str]] = [
        ({"recorded_by": outsider}, NotPermitted, "Only members of Tech"),
        ({"hours": Decimal(0)}, MemberRefused, "more than 0"),
        ({"hours": Decimal(25)}, MemberRefused, "at most 24"),
        ({"worked_on": timezone.localdate() + timedelta(days=1)}, MemberRefused, "in the future"),
        ({"user": applicant}, MemberRefused, "is not a member"),
    ]
    for changes, error, message in cases:
        arguments: dict[str, object] = {
            "user": outsider,
            "hours": Decimal(1),
            "worked_on": date(2026, 1, 1),
            "recorded_by": member,
        }
        arguments.update(changes)
        user = arguments.pop("user")
        assert isinstance(user, User)
        with pytest.raises(error, match=message):
            check_record_contribution(group, user, **arguments)  # type: ignore[arg-type]
    assert not ContributionRecord.objects.exists()


@pytest.mark.django_db
def test_seats_need_members_and_an_open_seat_to_leave(group: WorkingGroup, applicant: User) -> None:
    with pytest.raises(MemberRefused, match="not a member"):
        check_seat_member(group, applicant, authorised_by="Decision #51")
    with pytest.raises(MemberRefused, match="does not sit in Tech"):
        check_unseat_member(group, applicant)


@pytest.mark.django_db
def test_contributions_are_imported_whole_or_not_at_all(group: WorkingGroup, member: User) -> None:
    good = "member,hours,date,group,description\nmira,2.5,2026-02-01,tech,Upgrades\nmira,1,2026-02-02,Tech,\n"
    for bad, problem in [
        (good + "mira,30,2026-02-03,Tech,\n", "Line 4: Hours must be more than 0"),
        (good + "ghost,1,2026-02-03,Tech,\n", "Line 4: no member"),
        (good + "mira,1,2026-02-03,Kitchen,\n", "Line 4: no working group"),
        (good + "mira,x,2026-02-03,Tech,\n", "Line 4: hours must be a number"),
        ("member,hours\nmira,1\n", "lacks the column"),
    ]:
        with pytest.raises(MemberRefused, match=problem):
            check_import_contributions_csv(bad, recorded_by=member)
    assert not ContributionRecord.objects.exists()
    records = do_import_contributions_csv(check_import_contributions_csv(good, recorded_by=member))
    assert [(r.hours, r.description) for r in records] == [(Decimal("2.5"), "Upgrades"), (Decimal(1), "")]
