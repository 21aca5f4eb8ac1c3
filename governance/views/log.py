"""The transparency log as a web page, as JSON and as an ActivityPub collection."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from federation.activitypub.context import CONTEXT
from federation.negotiation import activity_response, wants_activity_json
from federation.uris import base_url, instance_actor_uri
from governance.access import is_moderator
from governance.api.entities import log_entry_entity
from governance.models import LogEntry, LogVisibility
from governance.selectors import log_entries_for, log_visibilities_for
from members.eligibility import is_eligible_voter
from members.models import User

PAGE_SIZE = 50


def log_collection_uri() -> str:
    """Return the id of the log's public ActivityPub collection."""
    return f"{base_url()}{reverse('governance:log')}"


def _visibilities(request: HttpRequest) -> list[str]:
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    member = user is not None and is_eligible_voter(user.pk, timezone.now())
    return log_visibilities_for(member=member, moderator=is_moderator(user))


def _after(request: HttpRequest) -> int:
    raw = request.GET.get("after", "0")
    return int(raw) if raw.isdigit() else 0


def log_entry_object(entry: LogEntry) -> dict[str, Any]:
    """Return a public log entry as an ActivityStreams Note attributed to the instance actor."""
    return {
        "id": f"{log_collection_uri()}/{entry.sequence}",
        "type": "Note",
        "attributedTo": instance_actor_uri(),
        "content": entry.summary,
        "published": entry.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "mutualsLogEntry": log_entry_entity(entry),
    }


@require_GET
def log_page(request: HttpRequest) -> HttpResponse:
    """Serve the log: HTML for people, ?format=json for scripts, a collection for ActivityPub peers.

    Peers and anonymous readers see public entries; members and moderators
    signed in to the web app see their levels too.
    """
    if wants_activity_json(request):
        public = LogEntry.objects.filter(visibility=LogVisibility.PUBLIC)
        page = request.GET.get("page")
        if page is None:
            return activity_response(
                {
                    "@context": CONTEXT,
                    "id": log_collection_uri(),
                    "type": "OrderedCollection",
                    "attributedTo": instance_actor_uri(),
                    "totalItems": public.count(),
                    "first": f"{log_collection_uri()}?page=true",
                }
            )
        after = _after(request)
        entries = list(public.filter(sequence__gt=after).order_by("sequence")[:PAGE_SIZE])
        document: dict[str, Any] = {
            "@context": CONTEXT,
            "id": f"{log_collection_uri()}?page=true&after={after}",
            "type": "OrderedCollectionPage",
            "partOf": log_collection_uri(),
            "orderedItems": [log_entry_object(entry) for entry in entries],
        }
        if len(entries) == PAGE_SIZE:
            document["next"] = f"{log_collection_uri()}?page=true&after={entries[-1].sequence}"
        return activity_response(document)
    entries = log_entries_for(_visibilities(request), after=_after(request), limit=PAGE_SIZE)
    if request.GET.get("format") == "json":
        return JsonResponse([log_entry_entity(entry) for entry in entries], safe=False)
    next_after = entries[-1].sequence if len(entries) == PAGE_SIZE else None
    return render(request, "governance/log.html", {"entries": entries, "next_after": next_after})
