"""The instance actor: the server's own identity for signed fetches, and the voice of its transparency log."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from federation import uris
from federation.keys import generate_key_pair
from federation.models import Actor

INSTANCE_USERNAME = "instance"


def _current_fields() -> dict[str, Any]:
    # Peers follow the instance actor to receive the public transparency log.
    # It accepts every follow from a domain it federates with, so it must not
    # advertise manuallyApprovesFollowers: Mastodon would show the follow as
    # "requested" and its users would wait for a moderator who never comes.
    return {
        "locked": False,
        "outbox_uri": uris.transparency_log_uri(),
        "followers_uri": uris.instance_followers_uri(),
    }


def instance_actor() -> Actor:
    """Return the server's Application actor, creating it with a key pair on first use.

    Fetches are signed with its key rather than a member's, so that a remote
    server never learns which member caused a fetch.
    """
    actor = Actor.objects.filter(domain="", uri=uris.instance_actor_uri()).first()
    if actor is not None:
        current = _current_fields()
        stale = [name for name, value in current.items() if getattr(actor, name) != value]
        if stale:
            # A row created before the log was followable: bring it up to date once.
            for name in stale:
                setattr(actor, name, current[name])
            actor.save(update_fields=[*stale, "updated_at"])
        return actor
    keys = generate_key_pair()
    base = uris.base_url()
    try:
        with transaction.atomic():
            return Actor.objects.create(
                kind=Actor.Kind.APPLICATION,
                username=INSTANCE_USERNAME,
                domain="",
                uri=uris.instance_actor_uri(),
                url=f"{base}/about",
                inbox_uri=f"{uris.instance_actor_uri()}/inbox",
                shared_inbox_uri=uris.shared_inbox_uri(),
                public_key_pem=keys.public_pem,
                private_key_pem=keys.private_pem,
                discoverable=False,
                **_current_fields(),
            )
    except IntegrityError:
        # Another process created it first.
        return Actor.objects.get(domain="", uri=uris.instance_actor_uri())


def existing_instance_actor() -> Actor | None:
    """Return the instance actor if it exists, without creating it (nobody can follow it before it does)."""
    return Actor.objects.filter(domain="", uri=uris.instance_actor_uri()).first()


def is_instance_actor(actor: Actor) -> bool:
    """Return whether an actor is this server's own Application actor."""
    return actor.is_local and actor.uri == uris.instance_actor_uri()
