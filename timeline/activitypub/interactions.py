"""Handlers for Like and Announce."""

from __future__ import annotations

from typing import Any

from federation.activitypub.incoming import NoteDocument, id_of
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from timeline.actions.interactions import do_favourite, do_reblog
from timeline.actions.remote_statuses import visibility_from_addressing
from timeline.activitypub.statuses import resolve_status
from timeline.errors import InteractionRefused
from timeline.models import Status, Visibility


@handles("Like")
def like(actor: Actor, activity: dict[str, Any]) -> None:
    """Record a like of a status stored here."""
    status = Status.objects.filter(uri=id_of(activity.get("object"))).first()
    if status is None:
        raise IgnoredActivity("The liked status is not here.")
    try:
        do_favourite(actor, status, uri=activity["id"])
    except InteractionRefused as exc:
        raise IgnoredActivity(str(exc)) from exc


@handles("Announce")
def announce(actor: Actor, activity: dict[str, Any]) -> None:
    """Store a boost; the boosted status is looked up or fetched from its own server, never trusted embedded."""
    object_id = id_of(activity.get("object"))
    if object_id is None:
        raise IgnoredActivity("The Announce names no object.")
    status = resolve_status(object_id)
    if status is None:
        raise IgnoredActivity("The boosted status cannot be fetched.")
    to = [str(id_of(item)) for item in (activity.get("to") or []) if id_of(item)]
    cc = [str(id_of(item)) for item in (activity.get("cc") or []) if id_of(item)]
    shape = NoteDocument(
        id=activity["id"], type="Note", attributed_to=actor.uri, content="", published="", to=to, cc=cc
    )
    visibility = visibility_from_addressing(shape, actor)
    if visibility == Visibility.DIRECT:
        visibility = Visibility.PRIVATE
    try:
        do_reblog(actor, status, visibility, uri=activity["id"])
    except InteractionRefused as exc:
        raise IgnoredActivity(str(exc)) from exc
