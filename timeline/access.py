"""Security-checked reads of statuses: every view of a status goes through here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from federation.models import Actor
from governance.models import ModerationAction
from governance.selectors import restricted_account_ids
from members.models.membership import Role
from members.selectors import user_has_role
from timeline.models import Follow, Mention, Status, Visibility


class StatusNotFound(Http404):
    """The status does not exist or the viewer may not see it (indistinguishable on purpose)."""


def _is_moderator(viewer: Actor | None) -> bool:
    return viewer is not None and viewer.user is not None and user_has_role(viewer.user, Role.MODERATOR)


def hidden_account_ids_for(viewer: Actor | None) -> QuerySet[ModerationAction, int | None]:
    """Return, as a subquery, the accounts whose statuses lists must leave out for this viewer.

    These are the suspended accounts, except for moderators, who see them.
    """
    if _is_moderator(viewer):
        return ModerationAction.objects.none().values_list("target_account_id", flat=True)
    return restricted_account_ids(limited=False)


def _visible_to(viewer: Actor | None, status: Status) -> bool:
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    if viewer is None:
        return False
    if status.visibility == Visibility.LOCAL:
        return viewer.is_local and viewer.user_id is not None
    if viewer.pk == status.account_id or Mention.objects.filter(status=status, account=viewer).exists():
        return True
    if status.visibility == Visibility.PRIVATE:
        return Follow.objects.filter(follower=viewer, target_id=status.account_id, state=Follow.State.ACCEPTED).exists()
    return False


def can_view_status(viewer: Actor | None, status: Status) -> bool:
    """Return whether the viewer (None for anonymous) may see the status.

    Local-only statuses are for this server's signed-in accounts. A suspended
    account's statuses are hidden from everyone but moderators, who need them
    to review the suspension and any appeal; moderators still see only what
    the status's visibility would show them.
    """
    suspended = restricted_account_ids(limited=False).filter(target_account_id=status.account_id)
    if suspended.exists() and not _is_moderator(viewer):
        return False
    return _visible_to(viewer, status)


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
