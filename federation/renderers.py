"""Render federation's own rows as ActivityStreams: actors, their Update and Delete, and Tombstones.

Rows become typed objects (`federation.activitypub`), sent through
`serialise()`. The apps render their own activities the same way, in
`<app>/activitypub/renderers.py`; fresh activity ids come from
`new_activity_id()` here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.html import escape

from federation.activitypub import Delete, Emoji, Person, PublicKey, Tombstone, Update, serialise
from federation.activitypub.context import PUBLIC
from federation.models import Actor
from federation.uris import activity_uri, base_url, featured_tags_uri, instance_actor_uri, transparency_log_uri

# How a local member's plain-text profile field value becomes HTML; the app that
# renders members' text registers it (`register_field_value_renderer`).
_field_value_renderers: list[Callable[[str], str]] = []


def register_field_value_renderer(renderer: Callable[[str], str]) -> None:
    """Name the function that turns a local member's plain-text profile field value into HTML."""
    _field_value_renderers[:] = [renderer]


# The Emoji tags of a local actor's profile; the app that keeps custom emoji registers it.
_actor_tag_renderers: list[Callable[[Actor], list[Emoji]]] = []


def register_actor_tag_renderer(renderer: Callable[[Actor], list[Emoji]]) -> None:
    """Name the function that returns the Emoji tags of a local actor's name, bio and fields."""
    _actor_tag_renderers[:] = [renderer]


def _actor_tags(actor: Actor) -> list[Emoji]:
    return _actor_tag_renderers[0](actor) if _actor_tag_renderers and actor.is_local else []


def _render_field_value(value: str) -> str:
    if not _field_value_renderers:
        return escape(value)
    return _field_value_renderers[0](value)


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
            name, value = escape(name), _render_field_value(value)
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
        featured_tags=featured_tags_uri(actor.username) if actor.is_local else "",
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
        tag=_actor_tags(actor),
        streams=[transparency_log_uri()] if actor.is_local and actor.uri == instance_actor_uri() else [],
    )


def new_activity_id(actor: Actor, kind: str) -> str:
    """Return a fresh id for an activity that has no object of its own to be named after."""
    return activity_uri(actor.username, kind, secrets.token_hex(12))


def actor_update(actor: Actor) -> dict[str, Any]:
    """Return the Update activity that announces a changed profile."""
    return serialise(
        Update(
            id=new_activity_id(actor, "updates"),
            actor=actor.uri,
            object=person_for_actor(actor),
            to=[PUBLIC],
            cc=[actor.followers_uri],
        )
    )


def delete_for_actor(actor: Actor) -> dict[str, Any]:
    """Return the Delete activity that tells peers a local account is gone."""
    return serialise(Delete(id=f"{actor.uri}#delete", actor=actor.uri, object=actor.uri, to=[PUBLIC]))


def tombstone(uri: str, former_type: str, deleted: datetime) -> dict[str, Any]:
    """Return the Tombstone served at the id of an erased actor or status."""
    return serialise(Tombstone(id=uri, former_type=former_type, deleted=iso8601(deleted)))
