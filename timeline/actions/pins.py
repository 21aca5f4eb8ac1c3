"""Pins: a member's own statuses featured at the top of their profile."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from federation.actions.outbox import publish_to_followers
from federation.models import Actor
from timeline.activitypub.renderers import add_for_pin, remove_for_pin
from timeline.errors import InteractionRefused, ValidationFailed
from timeline.models import Status, Visibility

# Mastodon's limit of pinned statuses per account.
MAX_PINNED_STATUSES = 5
PINNABLE = (Visibility.PUBLIC, Visibility.UNLISTED)


def check_pin(actor: Actor, status: Status) -> None:
    """Refuse to pin someone else's status, a boost, a non-public status, or a sixth status."""
    if status.account_id != actor.pk or status.reblog_of_id is not None:
        raise ValidationFailed("You can only pin your own statuses.")
    if status.visibility not in PINNABLE:
        raise ValidationFailed("Only public and unlisted statuses can be pinned.")
    if status.pinned_at is None and (
        Status.objects.filter(account=actor, pinned_at__isnull=False).count() >= MAX_PINNED_STATUSES
    ):
        raise ValidationFailed(f"You have already pinned the maximum number of statuses ({MAX_PINNED_STATUSES}).")


def do_pin(actor: Actor, status: Status) -> Status:
    """Pin a status; followers' servers are sent Add to the featured collection."""
    check_pin(actor, status)
    if status.pinned_at is not None:
        return status
    with transaction.atomic():
        status.pinned_at = timezone.now()
        status.save(update_fields=["pinned_at"])
        publish_to_followers(actor, add_for_pin(status))
    return status


def do_unpin(actor: Actor, status: Status) -> Status:
    """Unpin one's own status; followers' servers are sent Remove from the featured collection."""
    if status.account_id != actor.pk or status.pinned_at is None:
        return status
    with transaction.atomic():
        status.pinned_at = None
        status.save(update_fields=["pinned_at"])
        publish_to_followers(actor, remove_for_pin(status))
    return status


def do_mirror_remote_pin(actor: Actor, status: Status, *, pinned: bool) -> Status:
    """Pin (or unpin) a remote account's status as its server's featured collection says.

    The remote server decides what its accounts may pin, so neither the
    limit nor the visibility rule of local pins applies, and nothing is
    federated: the change came from there.
    """
    if actor.is_local or status.account_id != actor.pk:
        raise InteractionRefused("Only a remote account's own statuses mirror its featured collection.")
    with transaction.atomic():
        status.pinned_at = timezone.now() if pinned else None
        status.save(update_fields=["pinned_at"])
    return status
