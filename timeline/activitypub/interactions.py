"""Handlers for Like and Announce."""

from __future__ import annotations

from federation.activitypub import Announce, Like
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from timeline.actions.interactions import do_favourite, do_reblog
from timeline.actions.remote_statuses import visibility_from_addressing
from timeline.activitypub.statuses import resolve_status
from timeline.models import Status, Visibility


@handles(Like)
def like(actor: Actor, activity: Like) -> None:
    """Record a like of a status stored here."""
    status = Status.objects.filter(uri=activity.object_id).first()
    if status is None:
        raise IgnoredActivity("The liked status is not here.")
    do_favourite(actor, status, uri=activity.id)


@handles(Announce)
def announce(actor: Actor, activity: Announce) -> None:
    """Store a boost; the boosted status is looked up or fetched from its own server, never trusted embedded."""
    status = resolve_status(activity.object_id)
    if status is None:
        raise IgnoredActivity("The boosted status cannot be fetched.")
    visibility = visibility_from_addressing(activity.to, activity.cc, actor)
    if visibility == Visibility.DIRECT:
        visibility = Visibility.PRIVATE
    do_reblog(actor, status, visibility, uri=activity.id)
