"""Admin views of the co-op's records, read-only: every change goes through the actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from members.actions.lifecycle import check_admit_applicant, do_admit_applicant
from members.errors import MemberRefused
from members.models import (
    BylawsVersion,
    DuesPayment,
    DuesTier,
    Membership,
    MembershipEvent,
    PatronageAllocation,
    PatronageStatement,
    RegisterEntry,
    ShareClass,
    User,
    WorkingGroup,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    """Show records without offering to add, change or delete them.

    The register and the histories are append-only and hash-chained or
    audited; editing them here would bypass the actions' checks.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "kind", "share_class", "from_user", "to_user", "quantity", "effective_date")
    list_filter = ("kind", "share_class")
    search_fields = ("from_user__username", "to_user__username", "entry_hash")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "applied_at", "admitted_at")
    list_filter = ("status",)
    search_fields = ("user__username", "user__email")
    actions = ["admit_applicants"]

    @admin.action(description="Admit the selected applicants")
    def admit_applicants(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        """Admit each selected applicant through the lifecycle action, reporting each refusal."""
        officer = request.user
        assert isinstance(officer, User)  # noqa: S101 (the admin site requires a signed-in user)
        for membership in queryset.select_related("user"):
            try:
                check_admit_applicant(membership.user, actor_user=officer, authorised_by="")
            except MemberRefused as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
                continue
            do_admit_applicant(membership.user, actor_user=officer, authorised_by="")
            self.message_user(request, f"Admitted {membership.user.username}.")


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "user", "kind", "from_status", "to_status", "role", "actor_user", "authorised_by")
    list_filter = ("kind",)
    search_fields = ("user__username",)


@admin.register(DuesPayment)
class DuesPaymentAdmin(ReadOnlyAdmin):
    list_display = ("user", "period", "months", "amount", "currency", "paid_on", "source")
    list_filter = ("source",)
    search_fields = ("user__username", "external_id")


@admin.register(BylawsVersion)
class BylawsVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "effective_at", "authorised_by")


@admin.register(PatronageAllocation)
class PatronageAllocationAdmin(ReadOnlyAdmin):
    list_display = ("label", "period_start", "period_end", "surplus", "reserve_amount", "authorised_by")


@admin.register(PatronageStatement)
class PatronageStatementAdmin(ReadOnlyAdmin):
    list_display = ("allocation", "user", "pool", "measure_value", "amount")


@admin.register(ShareClass)
class ShareClassAdmin(ReadOnlyAdmin):
    list_display = ("name", "nominal_value", "currency", "min_per_member", "max_per_member", "carries_vote")


@admin.register(DuesTier)
class DuesTierAdmin(ReadOnlyAdmin):
    list_display = ("name", "monthly_amount", "currency")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "delegated_role", "authorised_by")
