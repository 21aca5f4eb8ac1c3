"""Create and change this server's actors."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from federation import uris
from federation.keys import generate_key_pair
from federation.models import Actor


def do_create_local_actor(user: AbstractBaseUser, *, display_name: str = "") -> Actor:
    """Create the public identity of a user: actor document URIs and a fresh key pair.

    `user` is of the project's user model (`settings.AUTH_USER_MODEL`).
    """
    username = user.get_username()
    keys = generate_key_pair()
    with transaction.atomic():
        return Actor.objects.create(
            user_id=user.pk,
            kind=Actor.Kind.PERSON,
            username=username,
            domain="",
            display_name=display_name,
            uri=uris.actor_uri(username),
            url=uris.profile_url(username),
            inbox_uri=uris.inbox_uri(username),
            outbox_uri=uris.outbox_uri(username),
            shared_inbox_uri=uris.shared_inbox_uri(),
            followers_uri=uris.followers_uri(username),
            following_uri=uris.following_uri(username),
            featured_uri=uris.featured_uri(username),
            public_key_pem=keys.public_pem,
            private_key_pem=keys.private_pem,
        )
