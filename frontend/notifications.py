"""Notifications as the web app lists them: who, what, an excerpt of the post, how long ago.

The names and the excerpts of a page have their custom emoji loaded in one
query; the member's filters fold (`warn`) or drop (`hide`) a notification
about a post they match, as Mastodon's apps do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from federation.models import Actor
from frontend.list_rows import AccountName, account_name, post_excerpt, texts_emojis
from frontend.posts import relative_time
from timeline.access import visible_statuses
from timeline.filtering import filter_results_for_statuses, is_hidden
from timeline.models import CustomEmoji, Notification, Status


@dataclass(frozen=True)
class NotificationView:
    """A notification as `notifications.html` shows it."""

    notification: Notification
    account: AccountName
    # The post's words as plain text, or its content warning when it has one (the post stays folded).
    excerpt: str
    excerpt_emojis: list[CustomEmoji]
    relative_time: str
    # The titles of the viewer's `warn` filters the post matches, joined.
    filtered: str = ""
    # Whether the notification's post is shown: the viewer may no longer see some (as the client API leaves them out).
    has_post: bool = False


def notification_views(notifications: Sequence[Notification], viewer: Actor, now: datetime) -> list[NotificationView]:
    """Return the notifications to show, those about a post a `hide` filter matches left out.

    A post the viewer may not see (now) is not quoted or linked, as the
    client API's Notification then carries no status.
    """
    # The posts of a whole page are checked together, in the same few queries however many there are.
    visible = {
        status.pk
        for status in visible_statuses(viewer, [item.status for item in notifications if item.status is not None])
    }
    posts: dict[int, Status] = {
        item.pk: item.status for item in notifications if item.status is not None and item.status_id in visible
    }
    results = filter_results_for_statuses(viewer, list(posts.values()), "notifications")
    hidden = {status_id for status_id, matched in results.items() if is_hidden(matched)}
    warnings = {
        status_id: ", ".join(dict.fromkeys(result["filter"]["title"] for result in matched))
        for status_id, matched in results.items()
    }
    shown = [item for item in notifications if item.pk not in posts or item.status_id not in hidden]
    excerpts = {item.pk: post_excerpt(posts[item.pk]) for item in shown if item.pk in posts}
    texts: dict[tuple[str, int], tuple[str, str]] = {}
    for item in shown:
        texts["account", item.from_account_id] = (item.from_account.domain, item.from_account.display_name)
        if item.pk in posts:
            texts["post", item.pk] = (posts[item.pk].account.domain, excerpts[item.pk])
    emojis = texts_emojis(texts)
    return [
        NotificationView(
            notification=item,
            account=account_name(item.from_account, emojis["account", item.from_account_id]),
            excerpt=excerpts.get(item.pk, ""),
            excerpt_emojis=emojis.get(("post", item.pk), []),
            relative_time=relative_time(item.created_at, now),
            filtered=warnings.get(item.status_id or 0, ""),
            has_post=item.pk in posts,
        )
        for item in shown
    ]
