"""Handlers for an actor's Update and Delete of itself: a changed profile, a deleted account."""

from __future__ import annotations

from federation.actions.remote_actors import do_delete_remote_actor, do_store_remote_actor
from federation.activitypub import Delete, Person, Update
from federation.inbox.registry import IgnoredActivity, handles_own_actor
from federation.models import Actor


@handles_own_actor(Update)
def update(actor: Actor, activity: Update) -> None:
    """Apply the sender's changed profile (the inbox checked that it is the sender's own document)."""
    match activity.object:
        case Person() as person:
            do_store_remote_actor(person)
        case str():
            raise IgnoredActivity("Updates of an object that cannot be read are not applied.")
        case other:
            raise IgnoredActivity(f"Updates of {other.type!r} are not applied.")


@handles_own_actor(Delete)
def delete(actor: Actor, activity: Delete) -> None:
    """Delete the sender's account, which its server deleted, and keep a tombstone so it does not come back."""
    do_delete_remote_actor(actor)
