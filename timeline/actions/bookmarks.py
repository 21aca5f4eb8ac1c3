"""Bookmarks: statuses a member saves for later, visible to nobody else."""

from __future__ import annotations

from federation.models import Actor
from timeline.access import can_view_status
from timeline.errors import RecordNotFound
from timeline.models import Bookmark, Status


def check_bookmark(actor: Actor, status: Status) -> None:
    """Refuse to bookmark a status the actor may not see."""
    if not can_view_status(actor, status):
        raise RecordNotFound("This status does not exist or is not visible to you.")


def do_bookmark(actor: Actor, status: Status) -> Bookmark:
    """Bookmark a status (a boost's original); bookmarking twice keeps one bookmark."""
    original = status.reblog_of or status
    check_bookmark(actor, original)
    bookmark, _ = Bookmark.objects.get_or_create(account=actor, status=original)
    return bookmark


def do_unbookmark(actor: Actor, status: Status) -> None:
    """Remove a bookmark, if there is one."""
    Bookmark.objects.filter(account=actor, status=status.reblog_of or status).delete()
