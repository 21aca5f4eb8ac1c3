"""The client API's CustomEmoji entity, and the emoji a text names, found for many texts in one query."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Q

from federation.uris import base_url
from timeline.models import CustomEmoji

K = TypeVar("K", bound=Hashable)

# A shortcode between colons, not glued to a word or another colon (Mastodon scans text the same way).
SHORTCODE_IN_TEXT = re.compile(r"(?<![\w:]):([a-zA-Z0-9_]{2,64}):(?![\w:])")


def shortcodes_in(texts: Iterable[str]) -> set[str]:
    """Return the shortcodes the texts name as :shortcode:."""
    return {match for text in texts for match in SHORTCODE_IN_TEXT.findall(text or "")}


def emoji_url(emoji: CustomEmoji) -> str:
    """Return the address this server serves the emoji's image at."""
    return f"{base_url()}{emoji.image.url}"


def emoji_static_url(emoji: CustomEmoji) -> str:
    """Return the address of the emoji's still image (the image itself when not animated)."""
    return f"{base_url()}{(emoji.static_image or emoji.image).url}"


def custom_emoji_entity(emoji: CustomEmoji) -> dict[str, Any]:
    """Return Mastodon's CustomEmoji entity."""
    return {
        "shortcode": emoji.shortcode,
        "url": emoji_url(emoji),
        "static_url": emoji_static_url(emoji),
        "visible_in_picker": emoji.visible_in_picker,
        "category": emoji.category or None,
    }


def shown_emojis(wanted: Mapping[K, tuple[str | None, set[str]]]) -> dict[K, list[CustomEmoji]]:
    """Return, per key, the emoji its domain (None: this server) has for its shortcodes, in one query.

    Only emoji with an image are shown (a remote one still being fetched
    is not), and a disabled local emoji is not.
    """
    by_domain: dict[str | None, set[str]] = {}
    for domain, codes in wanted.values():
        if codes:
            by_domain.setdefault(domain or None, set()).update(codes)
    if not by_domain:
        return {key: [] for key in wanted}
    conditions = [
        Q(domain__isnull=True, disabled=False, shortcode__in=sorted(codes))
        if domain is None
        else Q(domain=domain, shortcode__in=sorted(codes))
        for domain, codes in by_domain.items()
    ]
    found = {
        (emoji.domain, emoji.shortcode): emoji
        for emoji in CustomEmoji.objects.filter(reduce(or_, conditions)).exclude(image="")
    }
    return {
        key: [found[(domain or None, code)] for code in sorted(codes) if (domain or None, code) in found]
        for key, (domain, codes) in wanted.items()
    }


def emoji_entities(wanted: Mapping[K, tuple[str | None, set[str]]]) -> dict[K, list[dict[str, Any]]]:
    """Return, per key, the CustomEmoji entities of the shortcodes its domain has (see `shown_emojis`)."""
    return {key: [custom_emoji_entity(emoji) for emoji in found] for key, found in shown_emojis(wanted).items()}


def local_emojis_in(texts: Iterable[str]) -> list[CustomEmoji]:
    """Return the enabled local emoji the texts name, as a post or profile sent to peers tags them."""
    return shown_emojis({0: (None, shortcodes_in(texts))})[0]
