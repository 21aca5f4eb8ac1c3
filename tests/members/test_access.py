"""Reads of memberships and register entries: one's own, or anyone's for officers; 404 otherwise."""

from __future__ import annotations

import pytest

from members.access import (
    MemberNotFound,
    access_membership_by_user_id,
    access_register_by_officer,
    access_register_entry_by_sequence,
)
from members.errors import NotPermitted
from members.models import RegisterEntry, User
from tests.factories.members import make_member


@pytest.mark.django_db
def test_membership_reads(member: User, officer: User, treasurer: User) -> None:
    other = make_member(username="nina")
    assert access_membership_by_user_id(member, member.pk).user == member
    for reader in (officer, treasurer):
        assert access_membership_by_user_id(reader, member.pk).user == member
    with pytest.raises(MemberNotFound):
        access_membership_by_user_id(other, member.pk)
    with pytest.raises(MemberNotFound):
        access_membership_by_user_id(officer, 999_999)


@pytest.mark.django_db
def test_register_entry_reads(member: User, officer: User) -> None:
    other = make_member(username="nina")
    entry = RegisterEntry.objects.filter(to_user=member).first()
    assert entry is not None
    assert access_register_entry_by_sequence(member, entry.sequence) == entry
    assert access_register_entry_by_sequence(officer, entry.sequence) == entry
    with pytest.raises(MemberNotFound):
        access_register_entry_by_sequence(other, entry.sequence)
    with pytest.raises(MemberNotFound):
        access_register_entry_by_sequence(officer, 999_999)


@pytest.mark.django_db
def test_whole_register_is_for_officers(member: User, officer: User, treasurer: User) -> None:
    access_register_by_officer(officer)
    access_register_by_officer(treasurer)
    admin = make_member(username="root", is_superuser=True)
    access_register_by_officer(admin)
    with pytest.raises(NotPermitted, match="Only membership officers"):
        access_register_by_officer(member)
