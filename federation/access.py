"""Security-checked reads of actors."""

from __future__ import annotations

from django.http import Http404

from federation.models import Actor


class ActorNotFound(Http404):
    """No actor answers to that name here."""


def access_local_actor_by_username(username: str) -> Actor:
    """Return the local actor with that username (case-insensitive), or raise ActorNotFound."""
    actor = Actor.objects.filter(domain="", username__iexact=username, user__is_active=True).first()
    if actor is None:
        raise ActorNotFound("Account not found")
    return actor
