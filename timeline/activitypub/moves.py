"""Handler for Move: a remote account moving to another."""

from __future__ import annotations

from federation.actions.remote_actors import fetch_actor
from federation.activitypub import Move
from federation.errors import RemoteActorUnavailable
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from timeline.actions.moves import do_move_account


@handles(Move)
def move(actor: Actor, activity: Move) -> None:
    """Move local followers of the sender to its new account, once the new account confirms the alias.

    A Move without a target cannot be read, so it is ignored before it gets here.
    """
    target_uri = activity.target
    if activity.object_id != actor.uri:
        raise IgnoredActivity("A Move must move its own actor to a target.")
    try:
        # Fetched afresh: the alias must be in the new account's current document.
        target = fetch_actor(target_uri, refresh=True)
    except RemoteActorUnavailable as exc:
        raise IgnoredActivity(f"The new account cannot be fetched: {exc}") from exc
    do_move_account(actor, target)
