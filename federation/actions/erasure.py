"""Erase a local actor: tell every server that holds its content, then empty the profile.

The row stays, with `deleted_at`, so the username stays reserved and its
URLs answer 410 Gone; the keys stay too, since Delete deliveries are signed
with them for as long as their retries last.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from federation import renderers
from federation.actions.deliveries import do_queue_activity
from federation.activitypub.base import host_of
from federation.models import Actor, Delivery, InboxRecipient, OutboundActivity
from federation.selectors import follower_inboxes


def content_inboxes(actor: Actor) -> list[str]:
    """Return the inboxes an actor's Delete must reach: followers' first, then every other that got their content.

    The second set comes from the delivery rows of the actor's own
    activities, so a server that received a reply, a boost or a mention
    is told even if nobody there follows the member.
    """
    first = follower_inboxes(actor)
    others = (
        Delivery.objects.filter(activity__actor=actor)
        .exclude(inbox__in=first)
        .values_list("inbox", flat=True)
        .distinct()
        .order_by("inbox")
    )
    return list(dict.fromkeys([*first, *others]))


def inboxes_that_received(actor: Actor, object_uri: str) -> list[str]:
    """Return the inboxes that received any activity about one object (its Create, Updates, Announce)."""
    return list(
        Delivery.objects.filter(activity__actor=actor)
        .filter(
            Q(activity__activity_id=object_uri)
            | Q(activity__activity_id__startswith=f"{object_uri}/")
            | Q(activity__activity_id__startswith=f"{object_uri}#")
        )
        .values_list("inbox", flat=True)
        .distinct()
        .order_by("inbox")
    )


def hosts_of(inboxes: list[str]) -> list[str]:
    """Return the distinct hosts of some inboxes, in first-seen order."""
    return list(dict.fromkeys(host_of(inbox) for inbox in inboxes if inbox))


def do_publish_actor_delete(actor: Actor, inboxes: list[str]) -> OutboundActivity | None:
    """Queue the actor's Delete to the inboxes in order, hosts that are down included so the receipt names them."""
    return do_queue_activity(
        actor, renderers.delete_for_actor(actor), inboxes, include_unavailable=True, keep_order=True
    )


def do_forget_outbound_content(actor: Actor, keep_activity_ids: list[int]) -> int:
    """Delete the actor's stored outbound activities (they carry its content) except the given Deletes.

    Their pending deliveries go too: nothing the member wrote leaves after erasure.
    """
    deleted, _ = OutboundActivity.objects.filter(actor=actor).exclude(pk__in=keep_activity_ids).delete()
    return deleted


def do_forget_inbox_recipients(actor: Actor) -> int:
    """Forget which activities reached the actor's personal inbox; return how many records went."""
    deleted, _ = InboxRecipient.objects.filter(account=actor).delete()
    return deleted


def do_erase_actor_profile(actor: Actor) -> list[str]:
    """Empty a local actor's profile and detach it from its login; return the image file names to remove.

    Call inside the erasure's transaction; remove the files after commit.
    """
    files = [name for name in (actor.avatar.name, actor.header.name) if name]
    with transaction.atomic():
        actor.user = None
        actor.display_name = ""
        actor.summary = ""
        actor.fields = []
        actor.also_known_as = []
        actor.avatar = ""
        actor.header = ""
        actor.avatar_remote_url = ""
        actor.header_remote_url = ""
        actor.discoverable = False
        actor.locked = True
        actor.deleted_at = timezone.now()
        actor.save()
    return files
