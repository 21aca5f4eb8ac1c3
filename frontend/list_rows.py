"""What the web app's lists built from rows show: accounts' names with their custom emoji, and posts' excerpts.

The lists (notifications, conversations, follow requests, search) load the
emoji of every name and excerpt on a page in one query, as the client API's
entities do, so a longer page costs no more queries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.utils.html import strip_tags
from django.utils.text import Truncator

from federation.models import Actor
from timeline.entities.accounts import avatar_url
from timeline.entities.emojis import shortcodes_in, shown_emojis
from timeline.models import CustomEmoji, Status

K = TypeVar("K", bound=Hashable)

EXCERPT_WORDS = 24

# Paragraphs and line breaks end words: `<p>a</p><p>b</p>` reads "a b", not "ab".
_BREAKS = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)


@dataclass(frozen=True)
class AccountName:
    """An account as a list row names it (`includes/account_name.html`)."""

    actor: Actor
    emojis: list[CustomEmoji]
    avatar: str


def texts_emojis(texts: Mapping[K, tuple[str, str]]) -> dict[K, list[CustomEmoji]]:
    """Return, per key, the emoji its text names from its server (domain, text; "" is this server), in one query."""
    return shown_emojis({key: (domain or None, shortcodes_in([text])) for key, (domain, text) in texts.items()})


def account_name(actor: Actor, emojis: list[CustomEmoji]) -> AccountName:
    """Return the account's name with the emoji already found for it."""
    return AccountName(actor=actor, emojis=emojis, avatar=avatar_url(actor))


def account_names(actors: Sequence[Actor]) -> list[AccountName]:
    """Return each account's name, in order, with the emoji of all the names found in one query."""
    found = texts_emojis({actor.pk: (actor.domain, actor.display_name) for actor in actors})
    return [account_name(actor, found[actor.pk]) for actor in actors]


def post_excerpt(status: Status) -> str:
    """Return a post's content warning, else the start of its text, as plain text."""
    if status.spoiler_text:
        return status.spoiler_text
    # A remote post has only its sanitised HTML; a local one has its source text too.
    words = status.text or html.unescape(strip_tags(_BREAKS.sub(" ", status.content)))
    return Truncator(" ".join(words.split())).words(EXCERPT_WORDS)
