"""Security-checked reads of the co-op's records: the register and other people's memberships."""

from __future__ import annotations

import hashlib

from django.http import Http404

from members.errors import NotPermitted
from members.models import (
    AccountDeletion,
    DataExport,
    DataImport,
    Membership,
    PatronageAllocation,
    RegisterEntry,
    Role,
    User,
)
from members.selectors import user_has_role

# Who may read the whole register and every member's records.
REGISTER_READERS = (Role.MEMBERSHIP_OFFICER, Role.TREASURER, Role.ADMIN)


class MemberNotFound(Http404):
    """The record does not exist or the viewer may not see it; the two are not told apart."""


def can_read_register(viewer: User) -> bool:
    """Return whether the viewer may read the whole register and every membership."""
    return any(user_has_role(viewer, role) for role in REGISTER_READERS)


def access_register_by_officer(viewer: User) -> None:
    """Refuse anyone but a membership officer, a treasurer or an admin."""
    if not can_read_register(viewer):
        raise NotPermitted("Only membership officers, treasurers and admins may read the whole register.")


def access_allocation_by_id(viewer: User, allocation_id: int) -> PatronageAllocation:
    """Return a patronage allocation with every member's statement, for officers only."""
    if not can_read_register(viewer):
        raise MemberNotFound("Record not found")
    allocation = PatronageAllocation.objects.filter(pk=allocation_id).first()
    if allocation is None:
        raise MemberNotFound("Record not found")
    return allocation


def access_membership_by_user_id(viewer: User, user_id: int) -> Membership:
    """Return a membership the viewer may see: their own, or anyone's for an officer."""
    if viewer.pk != user_id and not can_read_register(viewer):
        raise MemberNotFound("Record not found")
    membership = Membership.objects.select_related("user").filter(user_id=user_id).first()
    if membership is None:
        raise MemberNotFound("Record not found")
    return membership


def access_register_entry_by_sequence(viewer: User, sequence: int) -> RegisterEntry:
    """Return a register entry the viewer may see: one naming them, or any for an officer."""
    entry = (
        RegisterEntry.objects.select_related("share_class", "to_user", "from_user").filter(sequence=sequence).first()
    )
    if entry is None:
        raise MemberNotFound("Record not found")
    if viewer.pk not in (entry.to_user_id, entry.from_user_id) and not can_read_register(viewer):
        raise MemberNotFound("Record not found")
    return entry


def hash_receipt_token(token: str) -> str:
    """Return the stored form of a deletion receipt token."""
    return hashlib.sha256(token.encode()).hexdigest()


def access_deletion_by_receipt_token(token: str) -> AccountDeletion:
    """Return the deletion whose receipt token this is; any other token is simply not found."""
    deletion = AccountDeletion.objects.filter(receipt_token_hash=hash_receipt_token(token)).first() if token else None
    if deletion is None:
        raise MemberNotFound("Record not found")
    return deletion


def access_scheduled_deletion_by_user(viewer: User) -> AccountDeletion | None:
    """Return the viewer's own deletion that is still in its grace period, if any."""
    return AccountDeletion.objects.filter(user=viewer, state=AccountDeletion.State.SCHEDULED).first()


def access_export_by_id(viewer: User, export_id: int) -> DataExport:
    """Return one of the viewer's own data exports; anyone else's is not found (officers included)."""
    export = DataExport.objects.filter(pk=export_id, user_id=viewer.pk).first()
    if export is None:
        raise MemberNotFound("Record not found")
    return export


def access_import_by_id(viewer: User, import_id: int) -> DataImport:
    """Return one of the viewer's own imports; anyone else's is not found."""
    data_import = DataImport.objects.filter(pk=import_id, user_id=viewer.pk).first()
    if data_import is None:
        raise MemberNotFound("Record not found")
    return data_import
