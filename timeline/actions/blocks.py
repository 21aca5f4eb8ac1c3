"""Blocks: a block ends follows both ways and hides the target's statuses and notifications."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from federation import renderers
from federation.actions.outbox import publish_to_actor
from federation.models import Actor
from timeline.activitypub.renderers import block_for_block, undo_for_block
from timeline.errors import InteractionRefused
from timeline.models import Block, Endorsement, Follow, Notification, TimelineEntry


def check_block(actor: Actor, target: Actor) -> None:
    """Refuse blocking oneself."""
    if actor.pk == target.pk:
        raise InteractionRefused("You can't block yourself.", status=403)


def do_block(actor: Actor, target: Actor, *, uri: str = "") -> Block:
    """Block an actor: follows between the two end, and a remote target's server is told."""
    check_block(actor, target)
    with transaction.atomic():
        block, created = Block.objects.get_or_create(
            account=actor, target=target, defaults={"uri": uri or renderers.new_activity_id(actor, "blocks")}
        )
        if created:
            Follow.objects.filter(Q(follower=actor, target=target) | Q(follower=target, target=actor)).delete()
            Endorsement.objects.filter(Q(account=actor, target=target) | Q(account=target, target=actor)).delete()
            Notification.objects.filter(recipient=actor, from_account=target).delete()
            TimelineEntry.objects.filter(owner=actor, status__account=target).delete()
            publish_to_actor(actor, target, block_for_block(block))
    return block


def do_unblock(actor: Actor, target: Actor) -> None:
    """Lift a block; a remote target's server is sent Undo(Block)."""
    with transaction.atomic():
        block = Block.objects.select_related("account", "target").filter(account=actor, target=target).first()
        if block is None:
            return
        publish_to_actor(actor, target, undo_for_block(block))
        block.delete()
