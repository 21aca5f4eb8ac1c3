"""Working groups: members holding powers the assembly delegated, and the hours they record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from members.models.membership import Role


class WorkingGroup(models.Model):
    """A group of members; each seat confers the group's delegated role, if any."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    delegated_role = models.CharField(max_length=30, choices=Role.choices, blank=True, default="")
    authorised_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(delegated_role="member"), name="group_cannot_delegate_membership"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkingGroupSeat(models.Model):
    """A member's seat in a working group, from `joined_at` until `left_at`."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="working_group_seats")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], condition=models.Q(left_at__isnull=True), name="one_open_seat_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class ContributionRecord(models.Model):
    """Hours a member contributed, recorded by their working group; an input to patronage."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="contributions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions")
    worked_on = models.DateField()
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    description = models.CharField(max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="contribution_hours_positive")]

    def __str__(self) -> str:
        return f"{self.user} {self.hours}h on {self.worked_on}"
