"""Handler for Block (its Undo is handled with the other Undos, in `timeline.activitypub.follows`)."""

from __future__ import annotations

from federation.activitypub import Block
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from timeline.actions.blocks import do_block


@handles(Block)
def block(actor: Actor, activity: Block) -> None:
    """Record that a remote actor blocks a local one: follows between them end."""
    target = Actor.objects.filter(uri=activity.object_id, domain="").first()
    if target is None:
        raise IgnoredActivity("The blocked actor is not on this server.")
    do_block(actor, target, uri=activity.id)
