"""Handlers for an actor's Update and Delete of itself: a changed profile, a deleted account."""

from __future__ import annotations

from typing import Any

from federation.actions.remote_actors import do_delete_remote_actor, do_store_actor_document
from federation.activitypub.incoming import ACTOR_TYPES
from federation.inbox.registry import IgnoredActivity, handles_own_actor
from federation.models import Actor


@handles_own_actor("Update")
def update(actor: Actor, activity: dict[str, Any]) -> None:
    """Apply the sender's changed profile."""
    obj = activity["object"]
    if obj.get("type") not in ACTOR_TYPES:
        raise IgnoredActivity(f"Updates of {obj.get('type')!r} are not applied.")
    do_store_actor_document(obj)


@handles_own_actor("Delete")
def delete(actor: Actor, activity: dict[str, Any]) -> None:
    """Delete the sender's account, which its server deleted, and keep a tombstone so it does not come back."""
    do_delete_remote_actor(actor)
