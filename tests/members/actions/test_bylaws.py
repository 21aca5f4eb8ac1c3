"""Adopting bylaws versions: validated settings, new versions, history kept."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.actions.bylaws import check_adopt_bylaws_version, do_adopt_bylaws_version
from members.errors import MemberRefused
from members.models import BylawsVersion
from members.selectors import bylaws_in_force


@pytest.mark.django_db
def test_founding_version_is_seeded_with_the_standing_rules() -> None:
    bylaws = bylaws_in_force()
    assert bylaws.version == 1
    assert bylaws.pk is not None
    assert (bylaws.proposal_min_open_days, bylaws.proposal_pass_threshold, bylaws.proposal_block_override) == (
        6,
        Decimal("0.500"),
        Decimal("0.900"),
    )
    assert (bylaws.amendment_min_open_days, bylaws.amendment_pass_threshold, bylaws.amendment_block_override) == (
        10,
        Decimal("0.750"),
        Decimal("0.950"),
    )
    assert bylaws.proposal_quorum == Decimal("0.200")
    assert bylaws.dues_grace_months == 3
    assert not bylaws.applicants_may_post


@pytest.mark.django_db
def test_an_emptied_table_still_answers_with_the_founding_settings() -> None:
    BylawsVersion.objects.all().delete()
    assert bylaws_in_force().proposal_min_open_days == 6
    adopted = do_adopt_bylaws_version({"proposal_min_open_days": 7}, authorised_by="Decision #3")
    assert adopted.version == 2
    assert BylawsVersion.objects.count() == 2


@pytest.mark.django_db
def test_amendment_adds_a_version_and_keeps_the_old_one_in_force_before() -> None:
    before = timezone.now()
    changes = check_adopt_bylaws_version(
        {"proposal_quorum": "0.25", "applicants_may_post": True}, authorised_by="Decision #4"
    )
    adopted = do_adopt_bylaws_version(changes, authorised_by="Decision #4")
    assert adopted.version == 2
    assert adopted.proposal_quorum == Decimal("0.250")
    assert adopted.applicants_may_post
    assert adopted.amendment_pass_threshold == Decimal("0.750")
    assert bylaws_in_force().version == 2
    assert bylaws_in_force(before - timedelta(seconds=1)).version == 1
    assert BylawsVersion.objects.get(version=1).proposal_quorum == Decimal("0.200")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "authority", "message"),
    [
        ({}, "Decision #5", "at least one setting"),
        ({"quorum": 1}, "Decision #5", "Unknown bylaws setting"),
        ({"proposal_quorum": "1.5"}, "Decision #5", "between 0 and 1"),
        ({"proposal_quorum": "lots"}, "Decision #5", "must be a number"),
        ({"applicants_may_post": "yes"}, "Decision #5", "true or false"),
        ({"minimum_voting_shares": 0}, "Decision #5", "at least 1"),
        ({"proposal_min_open_days": 2.5}, "Decision #5", "whole number"),
        ({"proposal_min_open_days": 7}, " ", "name the decision"),
    ],
)
def test_refused_amendments_add_no_version(changes: dict[str, object], authority: str, message: str) -> None:
    with pytest.raises(MemberRefused, match=message):
        check_adopt_bylaws_version(changes, authorised_by=authority)
    assert BylawsVersion.objects.count() == 1
