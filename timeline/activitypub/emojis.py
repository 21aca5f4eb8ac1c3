"""Custom emoji as ActivityStreams tags: what a note or actor of this server names, and what peers send.

Peers render `:shortcode:` in a post or profile only when its `tag` array
carries an `Emoji` for it, so local emoji named in a text are tagged; the
emoji tags of incoming notes and actors are kept (`do_store_remote_emojis`).
"""

from __future__ import annotations

from collections.abc import Iterable

from federation.activitypub import Emoji, Person
from federation.models import Actor
from federation.renderers import iso8601, profile_fields
from federation.uris import base_url
from timeline.actions.custom_emojis import do_store_remote_emojis
from timeline.entities.emojis import emoji_url, local_emojis_in


def emoji_tags(texts: Iterable[str]) -> list[Emoji]:
    """Return the Emoji tags of the enabled local emoji the texts name."""
    return [
        Emoji(
            id=f"{base_url()}/emojis/{emoji.pk}",
            name=f":{emoji.shortcode}:",
            icon_url=emoji_url(emoji),
            updated=iso8601(emoji.updated_at),
        )
        for emoji in local_emojis_in(texts)
    ]


def actor_emoji_tags(actor: Actor) -> list[Emoji]:
    """Return the Emoji tags of a local actor's display name, bio and profile fields."""
    fields = [text for field in profile_fields(actor) for text in (field["name"], field["value"])]
    return emoji_tags([actor.display_name, actor.summary, *fields])


def remote_actor_emojis_stored(actor: Actor, document: Person) -> None:
    """Keep the emoji a remote actor's document tags (its name, bio and fields use them)."""
    do_store_remote_emojis(actor.domain, [tag for tag in document.tag if isinstance(tag, Emoji)])
