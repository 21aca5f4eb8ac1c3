"""The instance actor: the server's own identity for signed fetches."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from federation import uris
from federation.keys import generate_key_pair
from federation.models import Actor

INSTANCE_USERNAME = "instance"


def instance_actor() -> Actor:
    """Return the server's Application actor, creating it with a key pair on first use.

    Fetches are signed with its key rather than a member's, so that a remote
    server never learns which member caused a fetch.
    """
    actor = Actor.objects.filter(domain="", uri=uris.instance_actor_uri()).first()
    if actor is not None:
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
                locked=True,
                discoverable=False,
            )
    except IntegrityError:
        # Another process created it first.
        return Actor.objects.get(domain="", uri=uris.instance_actor_uri())
