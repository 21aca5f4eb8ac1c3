"""Security-checked reads of statuses: every view of a status goes through here."""

from __future__ import annotations

from django.http import Http404

from federation.models import Actor
from timeline.models import Follow, Mention, Status, Visibility


class StatusNotFound(Http404):
    """The status does not exist or the viewer may not see it (indistinguishable on purpose)."""


def can_view_status(viewer: Actor | None, status: Status) -> bool:
    """Return whether the viewer (None for anonymous) may see the status."""
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    if viewer is None:
        return False
    if viewer.pk == status.account_id or Mention.objects.filter(status=status, account=viewer).exists():
        return True
    if status.visibility == Visibility.PRIVATE:
        return Follow.objects.filter(follower=viewer, target_id=status.account_id, state=Follow.State.ACCEPTED).exists()
    return False


def access_status_by_id(viewer: Actor | None, status_id: int) -> Status:
    """Return the status if the viewer may see it, else raise StatusNotFound."""
    status = Status.objects.select_related("account").filter(id=status_id).first()
    if status is None or not can_view_status(viewer, status):
        raise StatusNotFound("Record not found")
    return status


def access_local_status_by_author(viewer: Actor | None, username: str, status_id: int) -> Status:
    """Return a local status addressed by its author's username, if the viewer may see it."""
    status = access_status_by_id(viewer, status_id)
    if not status.account.is_local or status.account.username.lower() != username.lower():
        raise StatusNotFound("Record not found")
    return status
