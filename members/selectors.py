"""Read queries over bylaws, roles, memberships and registered apps."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from oauth2_provider.models import Application

from federation.models import Actor
from members.models import (
    AppRegistration,
    BylawsVersion,
    Membership,
    MembershipEvent,
    MembershipStatus,
    PaymentInstructions,
    RegisterEntry,
    Role,
    RoleHolding,
    User,
    WorkingGroupSeat,
)
from members.models.bylaws import FOUNDING_AUTHORITY, FOUNDING_EFFECTIVE_AT

STATUS_KINDS = [kind for kind in MembershipEvent.Kind.values if not kind.startswith("role_")]


def founding_bylaws() -> BylawsVersion:
    """Return version 1 as the founding bylaws set it (unsaved), for a register that has none yet."""
    return BylawsVersion(version=1, effective_at=FOUNDING_EFFECTIVE_AT, authorised_by=FOUNDING_AUTHORITY)


def bylaws_in_force(at: datetime | None = None) -> BylawsVersion:
    """Return the bylaws version in force at `at` (now if None).

    Version 1 is seeded by a migration; a database emptied since (as between
    tests) answers with the same founding settings.
    """
    moment = at or timezone.now()
    version = BylawsVersion.objects.filter(effective_at__lte=moment).order_by("-version").first()
    return version or founding_bylaws()


def membership_status(user: User) -> str | None:
    """Return the user's current membership status, or None if they never applied."""
    return Membership.objects.filter(user=user).values_list("status", flat=True).first()


def membership_status_at(user_id: int, at: datetime) -> str | None:
    """Return the user's membership status at a moment, replayed from the history."""
    return (
        MembershipEvent.objects.filter(user_id=user_id, kind__in=STATUS_KINDS, occurred_at__lte=at)
        .order_by("-occurred_at", "-id")
        .values_list("to_status", flat=True)
        .first()
    )


def statuses_at(at: datetime, *, user_ids: Collection[int] | None = None) -> dict[int, str]:
    """Return every user's (or the given users') membership status at a moment, replayed from the history."""
    statuses: dict[int, str] = {}
    events = MembershipEvent.objects.filter(kind__in=STATUS_KINDS, occurred_at__lte=at)
    if user_ids is not None:
        events = events.filter(user_id__in=user_ids)
    events = events.order_by("occurred_at", "id")
    for user_id, to_status in events.values_list("user_id", "to_status"):
        statuses[user_id] = to_status
    return statuses


def admitted_at(user_id: int, at: datetime) -> datetime | None:
    """Return when the user was last admitted before `at`, if ever."""
    return (
        MembershipEvent.objects.filter(user_id=user_id, kind=MembershipEvent.Kind.ADMITTED, occurred_at__lte=at)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


def membership_history(user: User) -> QuerySet[MembershipEvent]:
    """Return every event of a user's membership and roles, oldest first."""
    return MembershipEvent.objects.filter(user=user).select_related("actor_user").order_by("occurred_at", "id")


def pending_applications() -> QuerySet[Membership]:
    """Return applicants waiting for admission, oldest application first."""
    return Membership.objects.filter(status=MembershipStatus.APPLICANT).select_related("user").order_by("applied_at")


def payment_instructions() -> str:
    """Return how to pay the co-op, as its treasurer wrote it; empty while nobody has."""
    row = PaymentInstructions.objects.filter(pk=1).first()
    return row.text if row is not None else ""


def subscriptions_awaiting_payment(user: User) -> list[RegisterEntry]:
    """Return the user's share requests whose payment is not recorded yet, oldest first."""
    paid = RegisterEntry.objects.filter(
        kind=RegisterEntry.Kind.PAYMENT_CONFIRMATION, request__isnull=False, reversal__isnull=True
    ).values("request_id")
    return list(
        RegisterEntry.objects.filter(kind=RegisterEntry.Kind.SUBSCRIPTION_REQUEST, to_user=user, reversal__isnull=True)
        .exclude(pk__in=paid)
        .select_related("share_class")
        .order_by("sequence")
    )


def user_has_role(user: User, role: str) -> bool:
    """Return whether the user holds the role now.

    The member role follows from membership; admin also from the superuser
    flag. Other roles are granted directly or through a seat in a working
    group that the role is delegated to, and lapse while the holder is not a
    member.
    """
    if role not in Role.values:
        return False
    if role == Role.ADMIN and user.is_superuser:
        return True
    is_member = membership_status(user) == MembershipStatus.MEMBER
    if role == Role.MEMBER or not is_member:
        return is_member
    if RoleHolding.objects.filter(user=user, role=role).exists():
        return True
    return WorkingGroupSeat.objects.filter(user=user, left_at__isnull=True, group__delegated_role=role).exists()


def roles_of(user: User) -> list[str]:
    """Return the roles the user holds now, in the order of `Role`."""
    return [role for role in Role.values if user_has_role(user, role)]


def users_with_role(role: str) -> list[User]:
    """Return the users holding a role now, by username."""
    held = set(RoleHolding.objects.filter(role=role).values_list("user_id", flat=True))
    held |= set(
        WorkingGroupSeat.objects.filter(left_at__isnull=True, group__delegated_role=role).values_list(
            "user_id", flat=True
        )
    )
    users = User.objects.filter(pk__in=held).order_by("username")
    return [user for user in users if user_has_role(user, role)]


def moderates(actor: Actor) -> bool:
    """Return whether the account's user holds the moderator role now (timeline reads it through a registry)."""
    return actor.user is not None and user_has_role(actor.user, Role.MODERATOR)


def unlisted_account_ids() -> QuerySet[Actor, int]:
    """Return, as a subquery, the local accounts that are not members in good standing (timeline's discovery asks)."""
    return (
        Actor.objects.filter(domain="", user__isnull=False)
        .exclude(user__membership__status=MembershipStatus.MEMBER)
        .values_list("pk", flat=True)
    )


def account_posting_refusal(actor: Actor) -> str | None:
    """Return why the local account's user may not post now, or None (timeline reads it through a registry)."""
    return posting_refusal(actor.user) if actor.user is not None else None


def posting_refusal(user: User) -> str | None:
    """Return why the user may not post now, or None if they may.

    Members may post; applicants only if the bylaws allow it; suspended and
    former members may not.
    """
    status = membership_status(user)
    if status == MembershipStatus.MEMBER:
        return None
    if status in (None, MembershipStatus.APPLICANT):
        if bylaws_in_force().applicants_may_post:
            return None
        return "Your membership application has not been approved yet: applicants may read but not post."
    if status == MembershipStatus.SUSPENDED:
        return "Your membership is suspended: you cannot post until it is reinstated."
    return "Your membership has ended: you can no longer post."


def registered_scopes(application: Application) -> list[str]:
    """Return the scopes an app registered; none for an app that never registered through the API."""
    try:
        registration: AppRegistration = application.registration
    except AppRegistration.DoesNotExist:
        return []
    return registration.scope_list


def registered_website(application: Application) -> str:
    """Return the website an app registered, or an empty string."""
    try:
        registration: AppRegistration = application.registration
    except AppRegistration.DoesNotExist:
        return ""
    return registration.website
