"""Membership: each person's standing in the co-op and the history of every change to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    MEMBER = "member", _("Member")
    SUSPENDED = "suspended", _("Suspended")
    RESIGNED = "resigned", _("Resigned")
    EXPELLED = "expelled", _("Expelled")
    DELETED = "deleted", _("Deleted")


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    MEMBERSHIP_OFFICER = "membership_officer", _("Membership officer")
    TREASURER = "treasurer", _("Treasurer")
    ADMIN = "admin", _("Admin")


class Invitation(models.Model):
    """A link a member shares so someone can apply; optional, limited in uses and time."""

    code = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True, default="")
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(uses__lte=models.F("max_uses")), name="invitation_uses_limited"),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.code[:8]}"


class Membership(models.Model):
    """A person's current status in the co-op; its history is in MembershipEvent.

    Good standing (dues) is computed, never stored: see `members.standing`.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership")
    status = models.CharField(max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.APPLICANT)
    application_text = models.TextField(blank=True, default="")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dues_tier = models.ForeignKey(
        "members.DuesTier", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    applied_at = models.DateTimeField()
    admitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class MembershipEvent(models.Model):
    """One transition of a membership or one role change, with its reason and authority.

    Rows are only ever added. The status at any moment is the `to_status` of
    the last status event before it.
    """

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ADMITTED = "admitted", _("Admitted")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        RESIGNED = "resigned", _("Resigned")
        EXPELLED = "expelled", _("Expelled")
        DELETED = "deleted", _("Deleted")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REVOKED = "role_revoked", _("Role revoked")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=MembershipStatus.choices, blank=True, default="")
    to_status = models.CharField(max_length=20, choices=MembershipStatus.choices, blank=True, default="")
    role = models.CharField(max_length=30, choices=Role.choices, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_by = models.CharField(max_length=200, blank=True, default="")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["user", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["role_granted", "role_revoked"], role__gt="", to_status="")
                | (~models.Q(kind__in=["role_granted", "role_revoked"]) & models.Q(role="", to_status__gt="")),
                name="membership_event_status_or_role",
            ),
            models.CheckConstraint(
                condition=models.Q(actor_user__isnull=False) | models.Q(authorised_by__gt=""),
                name="membership_event_has_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} at {self.occurred_at:%Y-%m-%d}"


class RoleHolding(models.Model):
    """A role a person holds now; grants and revocations are MembershipEvents.

    The member role is never held here: it follows from membership itself.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_holdings")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_held_once"),
            models.CheckConstraint(condition=~models.Q(role="member"), name="member_role_is_derived"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role}"
