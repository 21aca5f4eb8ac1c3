"""The client API's Account entity and the accounts endpoints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from federation.models import Actor
from members.api.auth import api_error, require_token, token_user
from timeline.models import Follow, Status


def iso_with_millis(actor_moment: Any) -> str:
    """Return a timestamp as Mastodon's API writes it (milliseconds, Z)."""
    return str(actor_moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{actor_moment.microsecond // 1000:03d}Z")


def account_entity(actor: Actor) -> dict[str, Any]:
    """Return the Account entity for an actor."""
    last_status = Status.objects.filter(account=actor).order_by("-id").values_list("created_at", flat=True).first()
    return {
        "id": str(actor.pk),
        "username": actor.username,
        "acct": actor.acct,
        "display_name": actor.display_name,
        "locked": actor.locked,
        "bot": actor.bot,
        "discoverable": actor.discoverable,
        "indexable": actor.discoverable,
        "group": actor.kind == Actor.Kind.GROUP,
        "created_at": iso_with_millis(actor.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": actor.summary,
        "url": actor.url or actor.uri,
        "uri": actor.uri,
        "avatar": "",
        "avatar_static": "",
        "header": "",
        "header_static": "",
        "followers_count": Follow.objects.filter(target=actor, state=Follow.State.ACCEPTED).count(),
        "following_count": Follow.objects.filter(follower=actor, state=Follow.State.ACCEPTED).count(),
        "statuses_count": Status.objects.filter(account=actor).count(),
        "last_status_at": last_status.date().isoformat() if last_status else None,
        "hide_collections": False,
        "noindex": not actor.discoverable,
        "emojis": [],
        "roles": [],
        "fields": [],
    }


@require_GET
@require_token("read:accounts", "profile")
def verify_credentials(request: HttpRequest) -> JsonResponse:
    """Return the token owner's own Account, with its source."""
    actor = Actor.objects.filter(user=token_user(request)).first()
    if actor is None:
        return api_error("This user has no account", 422)
    body = account_entity(actor)
    body["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": "",
        "note": actor.summary,
        "fields": [],
        "follow_requests_count": Follow.objects.filter(target=actor, state=Follow.State.PENDING).count(),
    }
    return JsonResponse(body)
