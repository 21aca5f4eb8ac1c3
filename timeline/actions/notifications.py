"""Notify local actors of what others did to them."""

from __future__ import annotations

from federation.models import Actor
from timeline.models import Block, Notification, Status


def do_notify(recipient: Actor, from_account: Actor, kind: str, status: Status | None = None) -> Notification | None:
    """Write a notification for a local recipient, unless it is about themselves or a blocked actor.

    The same notification is written once: a redelivered like notifies once.
    """
    if not recipient.is_local or recipient.pk == from_account.pk:
        return None
    if Block.objects.filter(account=recipient, target=from_account).exists():
        return None
    notification, _ = Notification.objects.get_or_create(
        recipient=recipient, from_account=from_account, type=kind, status=status
    )
    return notification


def do_withdraw_notification(recipient: Actor, from_account: Actor, kind: str, status: Status | None = None) -> None:
    """Remove a notification whose cause was undone (an unfollow, an unlike)."""
    Notification.objects.filter(recipient=recipient, from_account=from_account, type=kind, status=status).delete()
