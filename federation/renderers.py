"""Render this server's rows as ActivityStreams objects."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from federation.activitypub.context import CONTEXT, PUBLIC
from federation.activitypub.objects import Note, Person, PublicKey
from federation.models import Actor
from federation.uris import activity_uri
from timeline.models import Poll, Status, Visibility


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
        fields=[{"name": str(f.get("name", "")), "value": str(f.get("value", ""))} for f in actor.fields],
        icon_url=actor.avatar_remote_url,
        image_url=actor.header_remote_url,
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
    """Return the Note (or Question, with a poll) for a status."""
    to, cc = addressing_for_status(status)
    tags: list[dict[str, Any]] = [
        {"type": "Mention", "href": mention.account.uri, "name": f"@{mention.account.acct}"}
        for mention in status.mentions.select_related("account")
    ]
    tags += [{"type": "Hashtag", "name": f"#{tag.name}"} for tag in status.tags.all()]
    poll = Poll.objects.filter(status=status).first()
    return Note(
        type="Question" if poll else "Note",
        tag=tags,
        attachment=[dict(item) for item in status.attachments],
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


def create_for_status(status: Status) -> dict[str, Any]:
    """Return the Create activity that publishes a status."""
    note = note_for_status(status)
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


def announce_for_reblog(reblog: Status) -> dict[str, Any]:
    """Return the Announce activity of a boost."""
    original = reblog.reblog_of
    if original is None:
        raise ValueError("Only a boost has an Announce.")
    to, cc = addressing_for_status(reblog)
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
