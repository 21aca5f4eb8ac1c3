"""Admin views of federation's queues and policies."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from federation.models import Delivery, DomainPolicy, InboxItem, RemoteHost


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("id", "host", "inbox", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "host")
    search_fields = ("host", "inbox")
    readonly_fields = ("activity", "inbox", "host", "created_at", "delivered_at")


@admin.register(RemoteHost)
class RemoteHostAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("host", "unavailable", "consecutive_failures", "circuit_open_until", "last_success_at")
    list_filter = ("unavailable",)
    search_fields = ("host",)


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("id", "activity_type", "actor_uri", "state", "attempts", "received_at")
    list_filter = ("state", "activity_type")
    search_fields = ("activity_id", "actor_uri")


@admin.register(DomainPolicy)
class DomainPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    """Read-only: policies change through governance decisions, which name their authority."""

    list_display = ("domain", "severity", "reject_media", "reject_reports", "authorised_by", "updated_at")
    search_fields = ("domain",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
