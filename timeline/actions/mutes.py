"""Mutes: accounts and threads a member silences without telling anyone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from federation.models import Actor
from timeline.errors import InteractionRefused
from timeline.models import ConversationMute, Mute, Status

# A reply chain longer than this is cut; its top is treated as the thread's root.
MAX_THREAD_DEPTH = 200


def thread_root_id(status: Status) -> int:
    """Return the id of the first status of the thread the status belongs to."""
    current_id = status.pk
    parent_id = status.in_reply_to_id
    for _ in range(MAX_THREAD_DEPTH):
        if parent_id is None:
            break
        current_id = parent_id
        parent_id = Status.objects.filter(pk=parent_id).values_list("in_reply_to_id", flat=True).first()
    return current_id


def check_mute(actor: Actor, target: Actor, *, duration: int = 0) -> None:
    """Refuse to mute oneself or to mute for a negative time."""
    if actor.pk == target.pk:
        raise InteractionRefused("You cannot mute yourself.")
    if duration < 0:
        raise InteractionRefused("Duration must be zero (indefinitely) or a number of seconds.")


def do_mute(actor: Actor, target: Actor, *, notifications: bool = True, duration: int = 0) -> Mute:
    """Mute an account, optionally its notifications too, indefinitely or for `duration` seconds."""
    check_mute(actor, target, duration=duration)
    expires_at = timezone.now() + timedelta(seconds=duration) if duration else None
    mute, _ = Mute.objects.update_or_create(
        account=actor, target=target, defaults={"hide_notifications": notifications, "expires_at": expires_at}
    )
    return mute


def do_unmute(actor: Actor, target: Actor) -> None:
    """Lift a mute, if there is one."""
    Mute.objects.filter(account=actor, target=target).delete()


def do_mute_conversation(actor: Actor, status: Status) -> ConversationMute:
    """Silence notifications from the whole thread the status belongs to."""
    mute, _ = ConversationMute.objects.get_or_create(account=actor, root_id=thread_root_id(status))
    return mute


def do_unmute_conversation(actor: Actor, status: Status) -> None:
    """Let notifications from the status's thread through again."""
    ConversationMute.objects.filter(account=actor, root_id=thread_root_id(status)).delete()
