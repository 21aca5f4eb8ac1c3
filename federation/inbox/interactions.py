"""Handlers for Like, Block, Flag, Move, Add and Remove."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from federation.actions.remote_actors import fetch_actor
from federation.activitypub.incoming import as_list, id_of
from federation.errors import RemoteActorUnavailable
from federation.inbox.registry import IgnoredActivity, handles
from federation.inbox.reports import file_flag
from federation.models import Actor
from timeline.actions.blocks import do_block
from timeline.actions.interactions import do_favourite
from timeline.actions.moves import do_move_account
from timeline.errors import InteractionRefused
from timeline.models import Status


@handles("Like")
def like(actor: Actor, activity: dict[str, Any]) -> None:
    """Record a like of a status stored here."""
    status = Status.objects.filter(uri=id_of(activity.get("object"))).first()
    if status is None:
        raise IgnoredActivity("The liked status is not here.")
    try:
        do_favourite(actor, status, uri=activity["id"])
    except InteractionRefused as exc:
        raise IgnoredActivity(str(exc)) from exc


@handles("Block")
def block(actor: Actor, activity: dict[str, Any]) -> None:
    """Record that a remote actor blocks a local one: follows between them end."""
    target = Actor.objects.filter(uri=id_of(activity.get("object")), domain="").first()
    if target is None:
        raise IgnoredActivity("The blocked actor is not on this server.")
    do_block(actor, target, uri=activity["id"])


@handles("Flag")
def flag(actor: Actor, activity: dict[str, Any]) -> None:
    """Turn a remote report about local accounts or statuses into a moderation report."""
    file_flag(actor, activity)


@handles("Move")
def move(actor: Actor, activity: dict[str, Any]) -> None:
    """Move local followers of the sender to its new account, once the new account confirms the alias."""
    target_uri = id_of(activity.get("target"))
    if target_uri is None or id_of(activity.get("object")) != actor.uri:
        raise IgnoredActivity("A Move must move its own actor to a target.")
    try:
        # Fetched afresh: the alias must be in the new account's current document.
        target = fetch_actor(target_uri, refresh=True)
    except RemoteActorUnavailable as exc:
        raise IgnoredActivity(f"The new account cannot be fetched: {exc}") from exc
    try:
        do_move_account(actor, target)
    except InteractionRefused as exc:
        raise IgnoredActivity(str(exc)) from exc


def _featured_status(actor: Actor, activity: dict[str, Any]) -> Status:
    if not actor.featured_uri or id_of(activity.get("target")) != actor.featured_uri:
        raise IgnoredActivity("Only the actor's featured collection is mirrored.")
    object_ids = [id_of(item) for item in as_list(activity.get("object"))]
    status = Status.objects.filter(uri__in=[i for i in object_ids if i], account=actor).first()
    if status is None:
        raise IgnoredActivity("The pinned status is not here.")
    return status


@handles("Add")
def add(actor: Actor, activity: dict[str, Any]) -> None:
    """Mark a status as pinned to its author's profile."""
    status = _featured_status(actor, activity)
    status.pinned_at = timezone.now()
    status.save(update_fields=["pinned_at"])


@handles("Remove")
def remove(actor: Actor, activity: dict[str, Any]) -> None:
    """Unpin a status from its author's profile."""
    status = _featured_status(actor, activity)
    status.pinned_at = None
    status.save(update_fields=["pinned_at"])
