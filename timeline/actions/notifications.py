"""Notify local actors of what others did to them."""

from __future__ import annotations

from federation.models import Actor
from timeline.actions.mutes import thread_root_id
from timeline.actions.push import do_queue_pushes
from timeline.models import Block, ConversationMute, Notification, Status
from timeline.selectors import hidden_domains_for, muted_account_ids
from timeline.streaming.events import stream_notification_on_commit


def _silenced(recipient: Actor, from_account: Actor, status: Status | None) -> bool:
    """Return whether the recipient muted the sender's notifications, hid its domain, or muted the thread."""
    if muted_account_ids(recipient, notifications=True).filter(target_id=from_account.pk).exists():
        return True
    # Only a remote sender can be on a hidden domain: a local one costs no read of them.
    if from_account.domain and any(
        from_account.domain == domain or from_account.domain.endswith(f".{domain}")
        for domain in hidden_domains_for(recipient)
    ):
        return True
    return (
        status is not None
        and ConversationMute.objects.filter(account=recipient).exists()
        and ConversationMute.objects.filter(account=recipient, root_id=thread_root_id(status)).exists()
    )


def do_notify(recipient: Actor, from_account: Actor, kind: str, status: Status | None = None) -> Notification | None:
    """Write a notification for a local recipient, unless it is about themselves or a blocked actor.

    Nor is one written when the recipient muted the sender's notifications,
    hid the sender's domain, or muted the thread the status belongs to.

    The same notification is written once: a redelivered like notifies once.
    A new one is streamed and pushed to the recipient's apps after commit.
    """
    if not recipient.is_local or recipient.pk == from_account.pk:
        return None
    if Block.objects.filter(account=recipient, target=from_account).exists():
        return None
    if _silenced(recipient, from_account, status):
        return None
    notification, created = Notification.objects.get_or_create(
        recipient=recipient, from_account=from_account, type=kind, status=status
    )
    if created:
        stream_notification_on_commit(notification.pk)
        do_queue_pushes(notification)
    return notification


def do_withdraw_notification(recipient: Actor, from_account: Actor, kind: str, status: Status | None = None) -> None:
    """Remove a notification whose cause was undone (an unfollow, an unlike)."""
    Notification.objects.filter(recipient=recipient, from_account=from_account, type=kind, status=status).delete()


def do_dismiss_notification(recipient: Actor, notification: Notification) -> None:
    """Delete one of the recipient's notifications."""
    Notification.objects.filter(recipient=recipient, pk=notification.pk).delete()


def do_clear_notifications(recipient: Actor) -> int:
    """Delete all of the recipient's notifications; return how many."""
    deleted, _ = Notification.objects.filter(recipient=recipient).delete()
    return deleted
