"""Move a membership through its lifecycle: apply, admit, suspend, reinstate, resign, expel, delete.

Each transition records who did it, on what authority and why, in the
membership's history, which the member can read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from members.errors import MemberRefused, NotPermitted
from members.holdings import holdings_of
from members.models import Invitation, Membership, MembershipEvent, MembershipStatus, Role, ShareClass, User
from members.selectors import bylaws_in_force, user_has_role

Kind = MembershipEvent.Kind
Status = MembershipStatus

MAX_APPLICATION_LENGTH = 5000
MAX_RESIGNATION_REASON = 500


def _membership(user: User) -> Membership:
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        raise MemberRefused(f"{user.username} has not applied for membership.")
    return membership


def _require_status(membership: Membership, allowed: tuple[Status, ...], doing: str) -> None:
    if membership.status not in allowed:
        names = " or ".join(str(Status(status).label).lower() for status in allowed)
        raise MemberRefused(
            f"Cannot {doing} {membership.user.username}: they are {Status(membership.status).label.lower()}, "
            f"not {names}."
        )


def _require_authority(actor_user: User | None, authorised_by: str, role: Role | None) -> None:
    if actor_user is None and not authorised_by.strip():
        raise MemberRefused("The change must name the person or the decision that authorises it.")
    if actor_user is None or role is None or authorised_by.strip():
        return
    if not (user_has_role(actor_user, role) or user_has_role(actor_user, Role.ADMIN)):
        raise NotPermitted(f"Only a {role.label.lower()} may do this.")


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise MemberRefused("A reason is required.")


def _record(
    membership: Membership,
    kind: Kind,
    to_status: Status,
    *,
    reason: str,
    actor_user: User | None,
    authorised_by: str,
    at: datetime | None = None,
) -> MembershipEvent:
    occurred_at = at or timezone.now()
    event = MembershipEvent.objects.create(
        user=membership.user,
        kind=kind,
        from_status=membership.status if kind != Kind.APPLIED else "",
        to_status=to_status,
        reason=reason.strip(),
        actor_user=actor_user,
        authorised_by=authorised_by.strip(),
        occurred_at=occurred_at,
    )
    membership.status = to_status
    update_fields = ["status"]
    if kind == Kind.ADMITTED:
        membership.admitted_at = occurred_at
        update_fields.append("admitted_at")
    membership.save(update_fields=update_fields)
    return event


def check_apply_for_membership(
    user: User, *, application_text: str = "", invitation_code: str = ""
) -> Invitation | None:
    """Validate an application (and its invitation, if any); return the invitation."""
    if Membership.objects.filter(user=user).exists():
        raise MemberRefused(f"{user.username} has applied already.")
    return check_application_text_and_invitation(application_text, invitation_code)


def check_application_text_and_invitation(application_text: str, invitation_code: str) -> Invitation | None:
    """Validate an application's text and invitation code; return the invitation, if any."""
    if len(application_text) > MAX_APPLICATION_LENGTH:
        raise MemberRefused(f"The application is too long (at most {MAX_APPLICATION_LENGTH} characters).")
    if not invitation_code:
        return None
    invitation = Invitation.objects.filter(code=invitation_code).first()
    if invitation is None:
        raise MemberRefused("This invitation link is not valid.")
    if invitation.expires_at <= timezone.now():
        raise MemberRefused("This invitation link has expired.")
    if invitation.uses >= invitation.max_uses:
        raise MemberRefused("This invitation link has been used up.")
    return invitation


def do_apply_for_membership(
    user: User, *, application_text: str = "", invitation: Invitation | None = None, at: datetime | None = None
) -> Membership:
    """Record the user as an applicant."""
    applied_at = at or timezone.now()
    with transaction.atomic():
        membership = Membership.objects.create(
            user=user,
            status=Status.APPLICANT,
            application_text=application_text.strip(),
            invitation=invitation,
            applied_at=applied_at,
        )
        _record(
            membership,
            Kind.APPLIED,
            Status.APPLICANT,
            reason="Application received.",
            actor_user=user,
            authorised_by="",
            at=applied_at,
        )
        if invitation is not None:
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            locked.uses += 1
            locked.save(update_fields=["uses"])
    return membership


def holds_voting_minimum(user: User) -> bool:
    """Return whether the user holds the bylaws' minimum of some share class that carries a vote."""
    minimum = bylaws_in_force().minimum_voting_shares
    voting = set(ShareClass.objects.filter(carries_vote=True).values_list("pk", flat=True))
    return any(class_id in voting and quantity >= minimum for class_id, quantity in holdings_of(user.pk).items())


def check_admit_applicant(user: User, *, actor_user: User | None, authorised_by: str) -> None:
    """Refuse admission unless the applicant paid the minimum voting shares and an officer or decision admits."""
    membership = _membership(user)
    _require_status(membership, (Status.APPLICANT,), "admit")
    _require_authority(actor_user, authorised_by, Role.MEMBERSHIP_OFFICER)
    if not holds_voting_minimum(user):
        minimum = bylaws_in_force().minimum_voting_shares
        raise MemberRefused(
            f"Cannot admit {user.username}: the bylaws' minimum of {minimum} voting share(s) is not paid and issued."
        )


def do_admit_applicant(
    user: User, *, actor_user: User | None, authorised_by: str, at: datetime | None = None
) -> MembershipEvent:
    """Make the applicant a member (`at` back-dates an admission carried over from earlier records)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(user=user)
        return _record(
            membership,
            Kind.ADMITTED,
            Status.MEMBER,
            reason="Minimum shares paid; admitted.",
            actor_user=actor_user,
            authorised_by=authorised_by,
            at=at,
        )


@dataclass(frozen=True)
class MembershipChangeDraft:
    """A checked change of a membership's status: whose, why, and who or what decided it."""

    user: User
    reason: str
    authorised_by: str
    actor_user: User | None


class SuspensionDraft(MembershipChangeDraft):
    """A suspension that passed its checks."""


class ReinstatementDraft(MembershipChangeDraft):
    """A reinstatement that passed its checks."""


class MembershipDeletionDraft(MembershipChangeDraft):
    """The deletion of an ended membership that passed its checks."""


def _record_change(
    draft: MembershipChangeDraft, kind: MembershipEvent.Kind, status: MembershipStatus
) -> MembershipEvent:
    """Move the membership to `status` under a lock, recording the checked reason and authority."""
    membership = Membership.objects.select_for_update().get(user=draft.user)
    return _record(
        membership, kind, status, reason=draft.reason, actor_user=draft.actor_user, authorised_by=draft.authorised_by
    )


def check_suspend_member(
    user: User, *, reason: str, authorised_by: str, actor_user: User | None = None
) -> SuspensionDraft:
    """Refuse a suspension of anyone but a member, or without a reason and authority."""
    membership = _membership(user)
    _require_status(membership, (Status.MEMBER,), "suspend")
    _require_reason(reason)
    _require_authority(actor_user, authorised_by, Role.MODERATOR)
    return SuspensionDraft(user, reason, authorised_by, actor_user)


def do_suspend_member(draft: SuspensionDraft) -> MembershipEvent:
    """Suspend a member: they keep their shares but may neither post nor vote."""
    with transaction.atomic():
        return _record_change(draft, Kind.SUSPENDED, Status.SUSPENDED)


def check_reinstate_member(
    user: User, *, reason: str, authorised_by: str, actor_user: User | None = None
) -> ReinstatementDraft:
    """Refuse a reinstatement of anyone not suspended."""
    membership = _membership(user)
    _require_status(membership, (Status.SUSPENDED,), "reinstate")
    _require_reason(reason)
    _require_authority(actor_user, authorised_by, Role.MODERATOR)
    return ReinstatementDraft(user, reason, authorised_by, actor_user)


def do_reinstate_member(draft: ReinstatementDraft) -> MembershipEvent:
    """Lift a suspension."""
    with transaction.atomic():
        return _record_change(draft, Kind.REINSTATED, Status.MEMBER)


def check_resign_member(user: User) -> None:
    """Refuse a resignation from anyone who is not a member (suspended members may resign)."""
    _require_status(_membership(user), (Status.MEMBER, Status.SUSPENDED), "accept the resignation of")


def do_resign_member(
    user: User, *, reason: str = "", actor_user: User | None = None, authorised_by: str = ""
) -> MembershipEvent:
    """End a membership at the member's request, or because their holdings reached zero."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(user=user)
        return _record(
            membership,
            Kind.RESIGNED,
            Status.RESIGNED,
            reason=reason or "Resigned.",
            actor_user=user if actor_user is None and not authorised_by else actor_user,
            authorised_by=authorised_by,
        )


def check_expel_member(user: User, *, reason: str, authorised_by: str) -> None:
    """Refuse an expulsion not decided by the assembly, without reason, or of a non-member."""
    membership = _membership(user)
    _require_status(membership, (Status.MEMBER, Status.SUSPENDED), "expel")
    _require_reason(reason)
    if not authorised_by.strip():
        raise MemberRefused("Only an assembly decision can expel a member; name the decision.")


def do_expel_member(user: User, *, reason: str, authorised_by: str) -> MembershipEvent:
    """Expel a member on the assembly's decision; their shares await redemption."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(user=user)
        return _record(
            membership, Kind.EXPELLED, Status.EXPELLED, reason=reason, actor_user=None, authorised_by=authorised_by
        )


def check_delete_membership(
    user: User, *, reason: str, actor_user: User | None = None, authorised_by: str = ""
) -> MembershipDeletionDraft:
    """Refuse deletion while shares are held or before the membership ended (applicants may withdraw)."""
    membership = _membership(user)
    _require_status(membership, (Status.APPLICANT, Status.RESIGNED, Status.EXPELLED), "delete the membership of")
    _require_reason(reason)
    if actor_user is not None and actor_user != user:
        _require_authority(actor_user, authorised_by, Role.MEMBERSHIP_OFFICER)
    elif actor_user is None:
        _require_authority(None, authorised_by, None)
    if holdings_of(user.pk):
        raise MemberRefused(f"Cannot delete the membership of {user.username}: their shares must be redeemed first.")
    return MembershipDeletionDraft(user, reason, authorised_by, actor_user)


def do_delete_membership(draft: MembershipDeletionDraft) -> MembershipEvent:
    """Close the membership for good and deactivate the login; the register keeps its history."""
    user = draft.user
    with transaction.atomic():
        event = _record_change(draft, Kind.DELETED, Status.DELETED)
        user.is_active = False
        user.save(update_fields=["is_active"])
    return event


MAX_INVITATION_USES = 50
MAX_INVITATION_DAYS = 90


def check_create_invitation(created_by: User, *, max_uses: int, valid_days: int) -> None:
    """Validate an invitation link made by a member."""
    membership = Membership.objects.filter(user=created_by).first()
    if membership is None or membership.status != Status.MEMBER:
        raise NotPermitted("Only members may invite people to apply.")
    if not 1 <= max_uses <= MAX_INVITATION_USES:
        raise MemberRefused(f"An invitation can be used between 1 and {MAX_INVITATION_USES} times.")
    if not 1 <= valid_days <= MAX_INVITATION_DAYS:
        raise MemberRefused(f"An invitation is valid for between 1 and {MAX_INVITATION_DAYS} days.")


def do_create_invitation(created_by: User, *, max_uses: int, valid_days: int, note: str = "") -> Invitation:
    """Create an invitation link's code."""
    return Invitation.objects.create(
        code=secrets.token_urlsafe(16),
        created_by=created_by,
        max_uses=max_uses,
        expires_at=timezone.now() + timedelta(days=valid_days),
        note=note[:200],
    )


ERASURE_AUTHORITY = "The member's request to be erased"


def do_end_membership_for_erasure(user: User) -> MembershipEvent | None:
    """Record the end of an erased person's membership; holdings stay in the register until redeemed.

    The application text goes (it is personal); the history stays, naming
    only the pseudonymised login.
    """
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user).first()
        if membership is None:
            return None
        membership.application_text = ""
        membership.save(update_fields=["application_text"])
        if membership.status == Status.DELETED:
            return None
        return _record(
            membership,
            Kind.DELETED,
            Status.DELETED,
            reason="Account erased at the member's request.",
            actor_user=None,
            authorised_by=ERASURE_AUTHORITY,
        )
