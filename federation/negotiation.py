"""Content negotiation between HTML pages and ActivityStreams documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse

from federation.activitypub.context import ACTIVITY_JSON
from federation.renderers import tombstone

_ACTIVITY_TYPES = ("application/activity+json", "application/ld+json")


def wants_activity_json(request: HttpRequest) -> bool:
    """Return whether the client asked for ActivityStreams rather than HTML."""
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in _ACTIVITY_TYPES)


def activity_response(document: dict[str, Any], status: int = 200) -> JsonResponse:
    """Return an ActivityStreams document with the content type peers expect."""
    response = JsonResponse(document, status=status, content_type=ACTIVITY_JSON)
    response["Vary"] = "Accept"
    return response


def gone_document(uri: str, former_type: str, deleted: datetime) -> JsonResponse:
    """Return 410 Gone with the Tombstone that stands at an erased actor's or status's id."""
    return activity_response(tombstone(uri, former_type, deleted), status=410)
