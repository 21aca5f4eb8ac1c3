"""Render this server's rows as ActivityStreams objects."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import escape

from federation.activitypub.context import CONTEXT, PUBLIC
from federation.activitypub.objects import Note, Person, PublicKey
from federation.models import Actor
from federation.uris import activity_uri, base_url, instance_actor_uri, transparency_log_uri
from timeline.models import MediaAttachment, Poll, Status, Visibility
from timeline.rendering import render_field_value


def iso8601(moment: datetime) -> str:
    """Return a UTC timestamp as ActivityPub peers write it (second precision, Z)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def profile_fields(actor: Actor) -> list[dict[str, str]]:
    """Return the profile fields as HTML; a local member's are stored as plain text and rendered here."""
    fields = actor.fields if isinstance(actor.fields, list) else []
    shown = []
    for field in fields:
        if not isinstance(field, dict):
            continue
        name, value = str(field.get("name", "")), str(field.get("value", ""))
        if actor.is_local:
            name, value = escape(name), render_field_value(value)
        shown.append({"name": name, "value": value})
    return shown


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
        fields=profile_fields(actor),
        icon_url=f"{base_url()}{actor.avatar.url}" if actor.avatar else actor.avatar_remote_url,
        image_url=f"{base_url()}{actor.header.url}" if actor.header else actor.header_remote_url,
        streams=[transparency_log_uri()] if actor.is_local and actor.uri == instance_actor_uri() else [],
    )


@dataclass(frozen=True)
class StatusRelations:
    """A status's mentioned accounts, hashtags, poll and media, loaded beforehand for many statuses at once.

    `media` None means "not loaded": the renderer then reads it itself.
    """

    mentioned: list[Actor]
    tags: list[str]
    poll: Poll | None
    media: list[MediaAttachment] | None = None


def relations_of(status: Status) -> StatusRelations:
    """Load one status's mentioned accounts, hashtags and poll (fresh: poll counts change)."""
    return StatusRelations(
        mentioned=[mention.account for mention in status.mentions.select_related("account")],
        tags=[tag.name for tag in status.tags.all()],
        poll=Poll.objects.filter(status=status).first(),
    )


def addressing_for_status(status: Status, mentioned_actors: list[Actor] | None = None) -> tuple[list[str], list[str]]:
    """Return (to, cc) for a status's visibility, as Mastodon addresses it."""
    followers = status.account.followers_uri
    if mentioned_actors is None:
        mentioned_actors = [mention.account for mention in status.mentions.select_related("account")]
    mentioned = [actor.uri for actor in mentioned_actors]
    if status.visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *mentioned]
    if status.visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *mentioned]
    if status.visibility == Visibility.PRIVATE:
        return [followers], mentioned
    return mentioned, []


def document_for_media(media: MediaAttachment) -> dict[str, Any]:
    """Return the Document that describes an attachment in a Note, as Mastodon writes it."""
    url = media.remote_url or (f"{base_url()}{media.file.url}" if media.file else "")
    document: dict[str, Any] = {"type": "Document", "mediaType": media.content_type, "url": url}
    document["name"] = media.description or None
    if media.blurhash:
        document["blurhash"] = media.blurhash
    original = media.meta.get("original") if isinstance(media.meta, dict) else None
    if media.type == MediaAttachment.Type.IMAGE:
        document["focalPoint"] = [media.focus_x, media.focus_y]
    if isinstance(original, dict) and isinstance(original.get("width"), int):
        document["width"] = original["width"]
        document["height"] = original.get("height")
    return document


def note_for_status(status: Status, related: StatusRelations | None = None) -> Note:
    """Return the Note (or Question, with a poll) for a status.

    `related` spares the queries when many statuses are rendered at once (an archive).
    """
    related = related or relations_of(status)
    to, cc = addressing_for_status(status, related.mentioned)
    tags: list[dict[str, Any]] = [
        {"type": "Mention", "href": actor.uri, "name": f"@{actor.acct}"} for actor in related.mentioned
    ]
    tags += [{"type": "Hashtag", "name": f"#{name}"} for name in related.tags]
    poll = related.poll
    return Note(
        type="Question" if poll else "Note",
        tag=tags,
        attachment=[
            document_for_media(media)
            for media in (
                related.media
                if related.media is not None
                else MediaAttachment.objects.filter(status=status).order_by("position", "id")
            )
        ],
        poll_options=list(zip(poll.options, poll.votes, strict=False)) if poll else [],
        poll_multiple=poll.multiple if poll else False,
        end_time=iso8601(poll.expires_at) if poll and poll.expires_at else None,
        voters_count=poll.voters_count if poll else None,
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


def new_activity_id(actor: Actor, kind: str) -> str:
    """Return a fresh id for an activity that has no object of its own to be named after."""
    return activity_uri(actor.username, kind, secrets.token_hex(12))


def activity(
    kind: str, actor: Actor, obj: Any, *, activity_id: str, to: list[str], cc: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """Return an activity document with Mastodon's @context."""
    data: dict[str, Any] = {"@context": CONTEXT, "id": activity_id, "type": kind, "actor": actor.uri}
    data.update(extra)
    data["to"] = to
    if cc:
        data["cc"] = cc
    data["object"] = obj
    return data


def create_for_status(status: Status, related: StatusRelations | None = None) -> dict[str, Any]:
    """Return the Create activity that publishes a status."""
    note = note_for_status(status, related)
    return activity(
        "Create",
        status.account,
        note.to_json(with_context=False),
        activity_id=f"{status.uri}/activity",
        to=note.to,
        cc=note.cc,
        published=note.published,
    )


def update_for_status(status: Status) -> dict[str, Any]:
    """Return the Update activity that carries an edited status."""
    note = note_for_status(status)
    return activity(
        "Update",
        status.account,
        note.to_json(with_context=False),
        activity_id=f"{status.uri}#updates/{secrets.token_hex(8)}",
        to=note.to,
        cc=note.cc,
    )


def delete_for_status(status: Status) -> dict[str, Any]:
    """Return the Delete activity for a status, its object a Tombstone."""
    to, cc = addressing_for_status(status)
    return activity(
        "Delete",
        status.account,
        {"id": status.uri, "type": "Tombstone", "atomUri": status.uri},
        activity_id=f"{status.uri}#delete",
        to=to or [PUBLIC],
        cc=cc,
    )


def announce_for_reblog(reblog: Status, mentioned_actors: list[Actor] | None = None) -> dict[str, Any]:
    """Return the Announce activity of a boost."""
    original = reblog.reblog_of
    if original is None:
        raise ValueError("Only a boost has an Announce.")
    to, cc = addressing_for_status(reblog, mentioned_actors)
    return activity(
        "Announce",
        reblog.account,
        original.uri,
        activity_id=reblog.uri,
        to=to,
        cc=[*cc, original.account.uri],
        published=iso8601(reblog.created_at),
    )


def undo(actor: Actor, inner: dict[str, Any]) -> dict[str, Any]:
    """Return an Undo of an activity (sent without the inner activity's @context)."""
    embedded = {key: value for key, value in inner.items() if key != "@context"}
    return activity(
        "Undo",
        actor,
        embedded,
        activity_id=f"{inner['id']}/undo",
        to=list(inner.get("to", [])),
        cc=list(inner.get("cc", [])),
    )


def actor_update(actor: Actor) -> dict[str, Any]:
    """Return the Update activity that announces a changed profile."""
    document = person_for_actor(actor).to_json()
    document.pop("@context")
    return activity(
        "Update",
        actor,
        document,
        activity_id=new_activity_id(actor, "updates"),
        to=[PUBLIC],
        cc=[actor.followers_uri],
    )


def delete_for_actor(actor: Actor) -> dict[str, Any]:
    """Return the Delete activity that tells peers a local account is gone."""
    return activity(
        "Delete",
        actor,
        actor.uri,
        activity_id=f"{actor.uri}#delete",
        to=[PUBLIC],
    )


def tombstone(uri: str, former_type: str, deleted: datetime) -> dict[str, Any]:
    """Return the Tombstone served at the id of an erased actor or status."""
    return {
        "@context": CONTEXT,
        "id": uri,
        "type": "Tombstone",
        "formerType": former_type,
        "deleted": iso8601(deleted),
    }
