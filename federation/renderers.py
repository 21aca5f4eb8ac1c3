"""Render this server's rows as ActivityStreams objects."""

from __future__ import annotations

from datetime import datetime

from federation.activitypub.context import PUBLIC
from federation.activitypub.objects import Note, Person, PublicKey
from federation.models import Actor
from timeline.models import Status, Visibility


def iso8601(moment: datetime) -> str:
    """Return a UTC timestamp as ActivityPub peers write it (second precision, Z)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def person_for_actor(actor: Actor) -> Person:
    """Return the actor document of a local actor."""
    return Person(
        id=actor.uri,
        type=actor.kind,
        preferred_username=actor.username,
        name=actor.display_name,
        summary=actor.summary,
        url=actor.url,
        inbox=actor.inbox_uri,
        outbox=actor.outbox_uri,
        followers=actor.followers_uri,
        following=actor.following_uri,
        featured=actor.featured_uri,
        shared_inbox=actor.shared_inbox_uri,
        public_key=PublicKey(id=actor.key_id, owner=actor.uri, public_key_pem=actor.public_key_pem),
        published=iso8601(actor.created_at),
        manually_approves_followers=actor.locked,
        discoverable=actor.discoverable,
        indexable=actor.discoverable,
        also_known_as=list(actor.also_known_as),
        moved_to=actor.moved_to.uri if actor.moved_to else None,
    )


def addressing_for_status(status: Status) -> tuple[list[str], list[str]]:
    """Return (to, cc) for a status's visibility, as Mastodon addresses it."""
    followers = status.account.followers_uri
    mentioned = [mention.account.uri for mention in status.mentions.select_related("account")]
    if status.visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *mentioned]
    if status.visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *mentioned]
    if status.visibility == Visibility.PRIVATE:
        return [followers], mentioned
    return mentioned, []


def note_for_status(status: Status) -> Note:
    """Return the Note for a status."""
    to, cc = addressing_for_status(status)
    return Note(
        id=status.uri,
        attributed_to=status.account.uri,
        content=status.content,
        published=iso8601(status.created_at),
        updated=iso8601(status.edited_at) if status.edited_at else None,
        to=to,
        cc=cc,
        url=status.url,
        summary=status.spoiler_text or None,
        sensitive=status.sensitive,
        in_reply_to=status.in_reply_to.uri if status.in_reply_to else None,
        language=status.language or None,
    )
