"""Favourites and boosts, by local and remote actors alike."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from federation import renderers
from federation.actions.outbox import publish_to_actor
from federation.models import Actor
from federation.uris import status_uri, status_url
from timeline.access import can_view_status
from timeline.actions.fan_out import do_place_in_authors_home, fan_out_on_commit
from timeline.actions.notifications import do_notify, do_withdraw_notification
from timeline.activitypub.outbox import publish_status_activity
from timeline.activitypub.renderers import (
    announce_for_reblog,
    like_for_favourite,
    undo_for_favourite,
    undo_for_reblog,
)
from timeline.errors import InteractionRefused
from timeline.ids import snowflake_id
from timeline.models import Block, Favourite, Notification, Status, Visibility
from timeline.streaming.events import stream_status_deleted_on_commit


def _check_not_blocked(actor: Actor, status: Status) -> None:
    if Block.objects.filter(account=status.account, target=actor).exists():
        raise InteractionRefused("The author of this status has blocked you.", status=403)


def check_favourite(actor: Actor, status: Status) -> None:
    """Refuse a like of a status the actor may not see, or whose author blocks them."""
    if not can_view_status(actor, status):
        raise InteractionRefused("This status does not exist or is not visible to you.", status=403)
    _check_not_blocked(actor, status)


def do_favourite(actor: Actor, status: Status, *, uri: str = "") -> Favourite:
    """Like a status; the author is notified, or their server sent Like."""
    check_favourite(actor, status)
    with transaction.atomic():
        favourite, created = Favourite.objects.get_or_create(
            account=actor, status=status, defaults={"uri": uri or renderers.new_activity_id(actor, "likes")}
        )
        if created:
            do_notify(status.account, actor, Notification.Type.FAVOURITE, status)
            publish_to_actor(actor, status.account, like_for_favourite(favourite))
    return favourite


def do_unfavourite(actor: Actor, status: Status) -> None:
    """Withdraw a like; the author's server is sent Undo."""
    with transaction.atomic():
        favourite = Favourite.objects.select_related("status__account").filter(account=actor, status=status).first()
        if favourite is None:
            return
        publish_to_actor(actor, status.account, undo_for_favourite(favourite))
        favourite.delete()
        do_withdraw_notification(status.account, actor, Notification.Type.FAVOURITE, status)


def check_reblog(actor: Actor, status: Status, visibility: str = Visibility.PUBLIC) -> None:
    """Refuse a boost of a non-public status, one not visible, or one whose author blocks the actor."""
    if not can_view_status(actor, status):
        raise InteractionRefused("This status does not exist or is not visible to you.", status=403)
    if status.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise InteractionRefused("Only public and unlisted statuses can be boosted.", status=403)
    if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE):
        raise InteractionRefused("A boost is public, unlisted or followers-only.", status=403)
    _check_not_blocked(actor, status)


def do_reblog(
    actor: Actor,
    status: Status,
    visibility: str = Visibility.PUBLIC,
    *,
    uri: str = "",
    created_at: datetime | None = None,
) -> Status:
    """Boost a status; return the boost, itself a status that followers' timelines show."""
    original = status.reblog_of or status
    check_reblog(actor, original, visibility)
    with transaction.atomic():
        existing = Status.objects.filter(account=actor, reblog_of=original).first()
        if existing is not None:
            return existing
        created_at = created_at or timezone.now()
        reblog_id = snowflake_id(created_at)
        reblog = Status.objects.create(
            id=reblog_id,
            account=actor,
            uri=uri or f"{status_uri(actor.username, reblog_id)}/activity",
            url=status_url(actor.username, reblog_id) if actor.is_local else original.url,
            reblog_of=original,
            visibility=visibility,
            local=actor.is_local,
            created_at=created_at,
        )
        do_notify(original.account, actor, Notification.Type.REBLOG, original)
        publish_status_activity(reblog, announce_for_reblog(reblog))
        if actor.is_local:
            do_place_in_authors_home(reblog)
        fan_out_on_commit(reblog.id)
    return reblog


def do_unreblog(actor: Actor, status: Status) -> None:
    """Withdraw a boost; followers' servers are sent Undo(Announce)."""
    original = status.reblog_of or status
    with transaction.atomic():
        reblog = Status.objects.select_related("reblog_of__account").filter(account=actor, reblog_of=original).first()
        if reblog is None:
            return
        publish_status_activity(reblog, undo_for_reblog(reblog))
        stream_status_deleted_on_commit(reblog)
        reblog.delete()
        do_withdraw_notification(original.account, actor, Notification.Type.REBLOG, original)
