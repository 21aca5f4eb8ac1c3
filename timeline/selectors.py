"""List queries over statuses and timelines."""

from __future__ import annotations

from django.db.models import QuerySet

from federation.models import Actor
from timeline.access import hidden_account_ids_for
from timeline.models import Follow, Status, TimelineEntry, Visibility


def statuses_for_profile(account: Actor, viewer: Actor | None, *, limit: int = 20) -> list[Status]:
    """Return the newest statuses of an account that the viewer may see on its profile.

    Others see public and unlisted posts, this server's accounts also
    local-only posts, followers also followers-only posts; direct messages
    appear on their author's own profile only. A suspended account's profile
    shows nothing but to moderators.
    """
    queryset: QuerySet[Status] = Status.objects.filter(account=account).exclude(
        account_id__in=hidden_account_ids_for(viewer)
    )
    if viewer is None or viewer.pk != account.pk:
        shown = [Visibility.PUBLIC, Visibility.UNLISTED]
        if viewer is not None and viewer.is_local and viewer.user_id is not None:
            shown.append(Visibility.LOCAL)
        if (
            viewer is not None
            and Follow.objects.filter(follower=viewer, target=account, state=Follow.State.ACCEPTED).exists()
        ):
            shown.append(Visibility.PRIVATE)
        queryset = queryset.filter(visibility__in=shown)
    return list(queryset.select_related("account").order_by("-id")[:limit])


def home_timeline_for(owner: Actor, *, limit: int = 20, max_id: int | None = None) -> list[Status]:
    """Return the newest statuses in a local actor's home timeline."""
    entries = TimelineEntry.objects.filter(owner=owner).exclude(status__account_id__in=hidden_account_ids_for(owner))
    if max_id is not None:
        entries = entries.filter(status_id__lt=max_id)
    ids = list(entries.order_by("-status_id").values_list("status_id", flat=True)[:limit])
    statuses = Status.objects.filter(id__in=ids).select_related("account").order_by("-id")
    return list(statuses)
