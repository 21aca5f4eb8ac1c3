"""The client API's Notification entity, shared by the notifications resource and the streaming events."""

from __future__ import annotations

from typing import Any

from config.api.timestamps import iso_with_millis
from federation.models import Actor
from timeline.access import visible_statuses
from timeline.entities.accounts import account_entities
from timeline.entities.statuses import status_entities
from timeline.models import Notification


def notification_entities(notifications: list[Notification], viewer: Actor) -> list[dict[str, Any]]:
    """Return Mastodon Notification entities, with accounts and statuses built in batches."""
    accounts = account_entities([notification.from_account for notification in notifications])
    visible = {
        status.pk for status in visible_statuses(viewer, [n.status for n in notifications if n.status is not None])
    }
    with_status = [n for n in notifications if n.status_id in visible]
    statuses = dict(
        zip(
            [n.pk for n in with_status],
            status_entities([n.status for n in with_status if n.status is not None], viewer, context="notifications"),
            strict=True,
        )
    )
    return [
        {
            "id": str(notification.pk),
            "type": notification.type,
            "group_key": f"ungrouped-{notification.pk}",
            "created_at": iso_with_millis(notification.created_at),
            "account": account,
            "status": statuses.get(notification.pk),
        }
        for notification, account in zip(notifications, accounts, strict=True)
    ]
