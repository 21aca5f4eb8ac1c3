"""Present a member to the client API (bearer headers) and to the web (a signed-in client), as tests need."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from federation.models import Actor
from members.actions.tokens import do_mint_token
from members.models import User
from tests.factories.oauth import AccessTokenFactory


def bearer(token: str) -> dict[str, str]:
    """Return the header that presents an access token."""
    return {"Authorization": f"Bearer {token}"}


def bearer_for(actor: Actor, scope: str = "read write") -> dict[str, str]:
    """Return the header presenting a fresh token of the actor's user, granted `scope` (space-separated)."""
    return bearer(AccessTokenFactory.create(user=actor.user, scope=scope).token)


def minted_bearer_for(user: User | None, scopes: str = "read write") -> dict[str, str]:
    """Return the header presenting a day-long token minted for the user under the operator application."""
    assert user is not None
    return bearer(do_mint_token(user, scopes.split(), valid_for=timedelta(days=1)).token)


def signed_in(user: User) -> Client:
    """Return a web client signed in as the user."""
    client = Client()
    client.force_login(user)
    return client
