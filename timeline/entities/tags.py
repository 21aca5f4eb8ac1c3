"""The client API's Tag and FeaturedTag entities, and the history of a trending link."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from federation.models import Actor
from federation.uris import base_url
from timeline.entities.statuses import card_entity
from timeline.models import FeaturedTag, PreviewCard, Tag, TagFollow
from timeline.selectors import featured_tag_figures, link_history, tag_history


def tag_url(name: str) -> str:
    """Return the hashtag's page on this server."""
    return f"{base_url()}/tags/{name}"


def _day(day: date) -> str:
    """Return a day as Mastodon writes it in a tag's history: the UNIX time of its midnight (UTC)."""
    return str(calendar.timegm(day.timetuple()))


def tag_entities(tags: Sequence[Tag], viewer: Actor | None) -> list[dict[str, Any]]:
    """Return the Tag entity of each hashtag, with its seven days of history and whether the viewer follows it.

    A hashtag not stored yet (named but never used) has no id and an empty
    history, as Mastodon shows one.
    """
    stored = [tag.pk for tag in tags if tag.pk is not None]
    history = tag_history(stored) if stored else {}
    followed: set[int] = set()
    featured: set[int] = set()
    if viewer is not None and stored:
        followed = set(TagFollow.objects.filter(account=viewer, tag_id__in=stored).values_list("tag_id", flat=True))
        featured = set(FeaturedTag.objects.filter(account=viewer, tag_id__in=stored).values_list("tag_id", flat=True))
    entities = []
    for tag in tags:
        entity: dict[str, Any] = {
            "id": str(tag.pk) if tag.pk is not None else "",
            "name": tag.name,
            "url": tag_url(tag.name),
            "history": [
                {"day": _day(item.day), "uses": str(item.uses), "accounts": str(item.accounts)}
                for item in history.get(tag.pk, [])
            ],
        }
        if viewer is not None:
            entity["following"] = tag.pk in followed
            entity["featuring"] = tag.pk in featured
        entities.append(entity)
    return entities


def tag_entity(tag: Tag, viewer: Actor | None) -> dict[str, Any]:
    """Return one hashtag's Tag entity."""
    return tag_entities([tag], viewer)[0]


def featured_tag_entities(account: Actor, featured: Sequence[FeaturedTag]) -> list[dict[str, Any]]:
    """Return the FeaturedTag entity of each of an account's featured hashtags, with their figures."""
    figures = featured_tag_figures(account, [item.tag_id for item in featured])
    entities = []
    for item in featured:
        last = figures[item.tag_id].last_status_at
        entities.append(
            {
                "id": str(item.pk),
                "name": item.tag.name,
                "url": tag_url(item.tag.name),
                # Mastodon writes this count as a string.
                "statuses_count": str(figures[item.tag_id].statuses_count),
                "last_status_at": last.date().isoformat() if last is not None else None,
            }
        )
    return entities


def trends_link_entities(cards: Sequence[PreviewCard]) -> list[dict[str, Any]]:
    """Return Mastodon's TrendsLink entity of each link: its PreviewCard with seven days of history."""
    history = link_history([card.pk for card in cards]) if cards else {}
    return [
        {
            **card_entity(card),
            "history": [
                {"day": _day(item.day), "accounts": str(item.accounts), "uses": str(item.uses)}
                for item in history.get(card.pk, [])
            ],
        }
        for card in cards
    ]
