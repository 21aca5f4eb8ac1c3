"""Handlers for Add and Remove: a remote account's statuses pinned to (and unpinned from) its featured collection."""

from __future__ import annotations

from federation.activitypub import Add, Remove, TargetedActivity
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from timeline.actions.pins import do_mirror_remote_pin
from timeline.models import Status


def _featured_status(actor: Actor, activity: TargetedActivity) -> Status:
    if not actor.featured_uri or activity.target != actor.featured_uri:
        raise IgnoredActivity("Only the actor's featured collection is mirrored.")
    status = Status.objects.filter(uri__in=activity.object_ids, account=actor).first()
    if status is None:
        raise IgnoredActivity("The pinned status is not here.")
    return status


@handles(Add)
def add(actor: Actor, activity: Add) -> None:
    """Mark a status as pinned to its author's profile."""
    do_mirror_remote_pin(actor, _featured_status(actor, activity), pinned=True)


@handles(Remove)
def remove(actor: Actor, activity: Remove) -> None:
    """Unpin a status from its author's profile."""
    do_mirror_remote_pin(actor, _featured_status(actor, activity), pinned=False)
