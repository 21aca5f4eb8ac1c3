"""Publish local actors' activities: choose the inboxes, then queue deliveries.

Each function is called inside the transaction of the change it announces.
"""

from __future__ import annotations

from typing import Any

from federation import renderers
from federation.actions.deliveries import do_queue_activity
from federation.actions.instance_actor import existing_instance_actor
from federation.models import Actor, OutboundActivity
from federation.selectors import follower_inboxes, inboxes_for_actors


def publish_to_actor(actor: Actor, target: Actor, activity: dict[str, Any]) -> OutboundActivity | None:
    """Deliver an activity to one remote actor (a follow, an accept, a block, a forwarded report)."""
    if not actor.is_local or target.is_local:
        return None
    return do_queue_activity(actor, activity, inboxes_for_actors([target]))


def publish_to_followers(actor: Actor, activity: dict[str, Any], *, also: list[Actor] | None = None) -> None:
    """Deliver an activity to an actor's followers (and a few more actors, if given)."""
    if not actor.is_local:
        return
    inboxes = set(follower_inboxes(actor))
    inboxes.update(inboxes_for_actors(also or []))
    do_queue_activity(actor, activity, sorted(inboxes))


def publish_actor_update(actor: Actor) -> None:
    """Announce a local actor's changed profile (name, bio, fields, aliases) to its followers' servers."""
    publish_to_followers(actor, renderers.actor_update(actor))


def publish_to_instance_followers(activity: dict[str, Any]) -> OutboundActivity | None:
    """Deliver an activity of the instance actor (a public log entry) to the peers that follow it."""
    signer = existing_instance_actor()
    if signer is None:
        # Nobody can follow an actor that was never created, so nobody is waiting.
        return None
    return do_queue_activity(signer, activity, follower_inboxes(signer))
