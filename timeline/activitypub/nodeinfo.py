"""What NodeInfo counts: members, the active ones, and local posts."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from federation.models import Actor
from timeline.models import Status


def usage() -> dict[str, object]:
    """Return NodeInfo's usage: members in all and active over a month and a half-year, and local posts.

    A member is active who logged in or posted in the period.
    """
    now = timezone.now()
    members = Actor.objects.filter(domain="", user__isnull=False, user__is_active=True)

    def active_since(days: int) -> int:
        since = now - timedelta(days=days)
        return members.filter(Q(user__last_login__gte=since) | Q(statuses__created_at__gte=since)).distinct().count()

    return {
        "users": {"total": members.count(), "activeMonth": active_since(30), "activeHalfyear": active_since(180)},
        "localPosts": Status.objects.filter(local=True, reblog_of__isnull=True).count(),
    }
