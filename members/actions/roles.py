"""Grant and revoke roles; each change is recorded in the holder's membership history."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation

from members.errors import MemberRefused, NotPermitted
from members.models import MembershipEvent, MembershipStatus, Role, RoleHolding, User
from members.selectors import membership_status, user_has_role


def check_grant_role(user: User, role: str, *, authorised_by: str, actor_user: User | None = None) -> Role:
    """Validate a grant: a known role other than member, to a member not holding it, by an admin or decision."""
    if role not in Role.values:
        raise MemberRefused(f"Unknown role {role!r}; roles are {', '.join(Role.values)}.")
    if role == Role.MEMBER:
        raise MemberRefused("Membership is not granted as a role: it follows from the share register.")
    if membership_status(user) != MembershipStatus.MEMBER:
        raise MemberRefused(f"{user.username} is not a member and cannot hold a role.")
    if RoleHolding.objects.filter(user=user, role=role).exists():
        raise MemberRefused(f"{user.username} is already {Role(role).label.lower()}.")
    _require_grantor(actor_user, authorised_by)
    return Role(role)


def _role_name(role: str) -> str:
    """Return a role's name as the membership history records it, in the source language whoever grants it."""
    with translation.override(None):
        return str(Role(role).label).lower()


def _require_grantor(actor_user: User | None, authorised_by: str) -> None:
    if not authorised_by.strip() and actor_user is None:
        raise MemberRefused("A role change must name the decision or the admin that made it.")
    if actor_user is not None and not authorised_by.strip() and not user_has_role(actor_user, Role.ADMIN):
        raise NotPermitted("Only an admin or a decision can change roles.")


def do_grant_role(user: User, role: str, *, authorised_by: str, actor_user: User | None = None) -> RoleHolding:
    """Give the user a role."""
    now = timezone.now()
    with transaction.atomic():
        holding = RoleHolding.objects.create(user=user, role=role, granted_at=now)
        MembershipEvent.objects.create(
            user=user,
            kind=MembershipEvent.Kind.ROLE_GRANTED,
            role=role,
            reason=f"Granted the role of {_role_name(role)}.",
            actor_user=actor_user,
            authorised_by=authorised_by.strip(),
            occurred_at=now,
        )
    return holding


def check_revoke_role(user: User, role: str, *, authorised_by: str, actor_user: User | None = None) -> None:
    """Validate a revocation of a role the user holds directly."""
    if role not in Role.values or not RoleHolding.objects.filter(user=user, role=role).exists():
        raise MemberRefused(f"{user.username} does not hold the role {role!r}.")
    _require_grantor(actor_user, authorised_by)


def do_revoke_role(user: User, role: str, *, authorised_by: str, actor_user: User | None = None) -> None:
    """Take a role away from the user."""
    with transaction.atomic():
        RoleHolding.objects.filter(user=user, role=role).delete()
        MembershipEvent.objects.create(
            user=user,
            kind=MembershipEvent.Kind.ROLE_REVOKED,
            role=role,
            reason=f"Revoked the role of {_role_name(role)}.",
            actor_user=actor_user,
            authorised_by=authorised_by.strip(),
            occurred_at=timezone.now(),
        )
