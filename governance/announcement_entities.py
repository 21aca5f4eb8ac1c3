"""Mastodon's Announcement entity and its reactions, built for a page of announcements in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count

from config.api.timestamps import iso_with_millis
from federation.models import Actor
from governance.models import Announcement, AnnouncementDismissal, AnnouncementReaction
from timeline.entities.emojis import emoji_entities, emoji_static_url, emoji_url, shortcodes_in
from timeline.models import CustomEmoji


def _moment(announcement: Announcement, value: Any) -> str | None:
    if value is None:
        return None
    # An all-day announcement names days, which Mastodon gives as midnight UTC.
    return iso_with_millis(value.replace(hour=0, minute=0, second=0, microsecond=0) if announcement.all_day else value)


def reaction_entities(announcement_ids: list[int], viewer: Actor | None) -> dict[int, list[dict[str, Any]]]:
    """Return each announcement's reactions: name, count, whether the viewer reacted, a custom emoji's images."""
    counted = (
        AnnouncementReaction.objects.filter(announcement_id__in=announcement_ids)
        .values("announcement_id", "name", "custom_emoji_id")
        .annotate(count=Count("id"))
        .order_by("announcement_id", "name")
    )
    rows = list(counted)
    mine: set[tuple[int, str]] = set()
    if viewer is not None:
        mine = set(
            AnnouncementReaction.objects.filter(announcement_id__in=announcement_ids, account=viewer).values_list(
                "announcement_id", "name"
            )
        )
    emojis = CustomEmoji.objects.in_bulk({row["custom_emoji_id"] for row in rows if row["custom_emoji_id"]})
    reactions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        entity: dict[str, Any] = {
            "name": row["name"],
            "count": row["count"],
            "me": (row["announcement_id"], row["name"]) in mine,
        }
        emoji = emojis.get(row["custom_emoji_id"])
        if emoji is not None:
            entity |= {"url": emoji_url(emoji), "static_url": emoji_static_url(emoji)}
        reactions[row["announcement_id"]].append(entity)
    return reactions


def announcement_entities(announcements: Sequence[Announcement], viewer: Actor | None) -> list[dict[str, Any]]:
    """Return Mastodon's Announcement entity of each announcement, as the viewer sees it (`read`, `me`)."""
    ids = [announcement.pk for announcement in announcements]
    read: set[int] = set()
    if viewer is not None:
        read = set(
            AnnouncementDismissal.objects.filter(announcement_id__in=ids, account=viewer).values_list(
                "announcement_id", flat=True
            )
        )
    reactions = reaction_entities(ids, viewer)
    emojis = emoji_entities(
        {announcement.pk: (None, shortcodes_in([announcement.content])) for announcement in announcements}
    )
    return [
        {
            "id": str(announcement.pk),
            "content": announcement.content,
            "starts_at": _moment(announcement, announcement.starts_at),
            "ends_at": _moment(announcement, announcement.ends_at),
            "all_day": announcement.all_day,
            "published_at": iso_with_millis(announcement.published_at),
            "updated_at": iso_with_millis(announcement.updated_at),
            "read": announcement.pk in read,
            "mentions": [],
            "statuses": [],
            "tags": [],
            "emojis": emojis.get(announcement.pk, []),
            "reactions": reactions.get(announcement.pk, []),
        }
        for announcement in announcements
    ]


def announcement_entity(announcement: Announcement, viewer: Actor | None) -> dict[str, Any]:
    """Return one announcement's entity as the viewer sees it."""
    return announcement_entities([announcement], viewer)[0]
