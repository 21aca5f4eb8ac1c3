"""Handlers for Add and Remove: a remote account's statuses pinned to (and unpinned from) its featured collection."""

from __future__ import annotations

from typing import Any

from federation.activitypub.incoming import as_list, id_of
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from timeline.actions.pins import do_mirror_remote_pin
from timeline.models import Status


def _featured_status(actor: Actor, activity: dict[str, Any]) -> Status:
    if not actor.featured_uri or id_of(activity.get("target")) != actor.featured_uri:
        raise IgnoredActivity("Only the actor's featured collection is mirrored.")
    object_ids = [id_of(item) for item in as_list(activity.get("object"))]
    status = Status.objects.filter(uri__in=[i for i in object_ids if i], account=actor).first()
    if status is None:
        raise IgnoredActivity("The pinned status is not here.")
    return status


@handles("Add")
def add(actor: Actor, activity: dict[str, Any]) -> None:
    """Mark a status as pinned to its author's profile."""
    do_mirror_remote_pin(actor, _featured_status(actor, activity), pinned=True)


@handles("Remove")
def remove(actor: Actor, activity: dict[str, Any]) -> None:
    """Unpin a status from its author's profile."""
    do_mirror_remote_pin(actor, _featured_status(actor, activity), pinned=False)
