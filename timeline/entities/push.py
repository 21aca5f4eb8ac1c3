"""The client API's WebPushSubscription entity and the message pushed for a notification, in Mastodon's shapes."""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.utils.html import strip_tags

from config.vapid import vapid_public_key
from timeline.entities.accounts import avatar_url
from timeline.models import Notification, PushSubscription

# Notification types an app may ask to have pushed, as Mastodon names them in `data[alerts]`.
ALERT_TYPES: tuple[str, ...] = (
    Notification.Type.MENTION,
    Notification.Type.STATUS,
    Notification.Type.REBLOG,
    Notification.Type.FOLLOW,
    Notification.Type.FOLLOW_REQUEST,
    Notification.Type.FAVOURITE,
    Notification.Type.POLL,
    Notification.Type.UPDATE,
    Notification.Type.ADMIN_SIGN_UP,
    Notification.Type.ADMIN_REPORT,
)
BODY_LENGTH = 140
TITLES = {
    Notification.Type.MENTION: "{name} mentioned you",
    Notification.Type.STATUS: "{name} just posted",
    Notification.Type.REBLOG: "{name} boosted your post",
    Notification.Type.FOLLOW: "{name} is now following you",
    Notification.Type.FOLLOW_REQUEST: "{name} asked to follow you",
    Notification.Type.FAVOURITE: "{name} favourited your post",
    Notification.Type.POLL: "A poll by {name} has ended",
    Notification.Type.UPDATE: "{name} edited a post",
    Notification.Type.MOVE: "{name} moved to another account",
    Notification.Type.ADMIN_SIGN_UP: "{name} signed up",
    Notification.Type.ADMIN_REPORT: "{name} filed a report",
}


def push_subscription_entity(subscription: PushSubscription) -> dict[str, Any]:
    """Return a WebPushSubscription entity: every pushable type with whether it is pushed."""
    return {
        "id": str(subscription.pk),
        "endpoint": subscription.endpoint,
        "standard": subscription.standard,
        "alerts": {kind: bool(subscription.alerts.get(kind, False)) for kind in ALERT_TYPES},
        "server_key": vapid_public_key(),
        "policy": subscription.policy,
    }


def _truncated(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_LENGTH else text[: BODY_LENGTH - 1].rstrip() + "…"


def push_message(notification: Notification, subscription: PushSubscription) -> dict[str, Any]:
    """Return what is pushed for a notification: Mastodon's push payload, which apps show as it is.

    The body is the status's content warning, else its text, else (for a
    follow) the sender's bio, as plain text cut to 140 characters.
    """
    sender = notification.from_account
    name = sender.display_name or sender.username
    status = notification.status
    if status is not None:
        source = status.spoiler_text or (status.text if status.local and status.text else status.content)
    else:
        source = sender.summary
    return {
        "access_token": subscription.access_token.token,
        "preferred_locale": settings.LANGUAGE_CODE,
        "notification_id": notification.pk,
        "notification_type": notification.type,
        "icon": avatar_url(sender),
        "title": TITLES.get(Notification.Type(notification.type), "{name}").format(name=name),
        "body": _truncated(html.unescape(strip_tags(source.replace("</p><p>", "\n").replace("<br>", "\n")))),
    }
