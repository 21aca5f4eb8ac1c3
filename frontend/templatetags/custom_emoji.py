"""Show custom emoji in the web app: `:shortcode:` in a status or a name becomes the emoji's image.

Posts are built from the client API's entities, which list their emoji:
`{{ post.content|safe|emojify_listed:entity.emojis }}`. Pages built from
rows look their emoji up: `{% with emojis=actor|account_emojis %}{{ actor.display_name|emojify:emojis }}{% endwith %}`.
Text that is not marked safe is escaped first; markup is never touched,
only the text between tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from federation.models import Actor
from timeline.entities.emojis import SHORTCODE_IN_TEXT, emoji_url, shortcodes_in, shown_emojis
from timeline.models import CustomEmoji

register = template.Library()

_TAG = re.compile(r"(<[^>]*>)")


def _emojis_of(domain: str, texts: Iterable[str]) -> list[CustomEmoji]:
    return shown_emojis({0: (domain or None, shortcodes_in(texts))})[0]


@register.filter
def account_emojis(actor: Actor) -> list[CustomEmoji]:
    """Return the custom emoji an account's name and bio name, from its server."""
    return _emojis_of(actor.domain, [actor.display_name, actor.summary])


def _image(shortcode: str, url: str) -> str:
    code = escape(f":{shortcode}:")
    return (
        f'<img class="custom-emoji" src="{escape(url)}" alt="{code}" title="{code}" '
        'width="20" height="20" draggable="false">'
    )


def _with_images(value: object, images: dict[str, str]) -> SafeString:
    html = str(conditional_escape(value if isinstance(value, SafeString) else str(value)))
    if not images:
        return mark_safe(html)  # noqa: S308 (escaped above, or marked safe by the caller)

    def replace(match: re.Match[str]) -> str:
        return images.get(match.group(1), match.group(0))

    parts = _TAG.split(html)
    # Odd parts are tags: attributes are never rewritten.
    shown = [part if index % 2 else SHORTCODE_IN_TEXT.sub(replace, part) for index, part in enumerate(parts)]
    return mark_safe("".join(shown))  # noqa: S308 (only escaped text and images built here)


@register.filter(is_safe=True)
def emojify(value: object, emojis: Iterable[CustomEmoji] | None) -> SafeString:
    """Return the text (escaped unless marked safe) with each known :shortcode: shown as its emoji's image."""
    return _with_images(value, {emoji.shortcode: _image(emoji.shortcode, emoji_url(emoji)) for emoji in emojis or ()})


@register.filter(is_safe=True)
def emojify_listed(value: object, emojis: Iterable[Mapping[str, Any]] | None) -> SafeString:
    """Return the text with each :shortcode: shown as an image, from the `emojis` an API entity lists.

    The post and profile pages are built from the client API's entities,
    which already carry their emoji: no query is needed here.
    """
    return _with_images(
        value, {str(emoji["shortcode"]): _image(str(emoji["shortcode"]), str(emoji["url"])) for emoji in emojis or ()}
    )


@register.filter
def announcement_emojis(announcement: object) -> list[CustomEmoji]:
    """Return the local custom emoji an announcement's text names."""
    return _emojis_of("", [str(getattr(announcement, "content", ""))])
