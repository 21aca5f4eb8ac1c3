"""Find the actor behind the signed-in person of a web request."""

from __future__ import annotations

from django.http import HttpRequest

from federation.models import Actor


def viewer_actor(request: HttpRequest) -> Actor | None:
    """Return the signed-in person's actor, or None for anonymous visitors."""
    if not request.user.is_authenticated:
        return None
    return Actor.objects.filter(user_id=request.user.pk).first()
