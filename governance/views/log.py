"""The transparency log as a web page, as JSON and as an ActivityPub collection."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from federation.authorized_fetch import check_fetch_allowed
from federation.errors import ActivityRefused
from federation.negotiation import activity_response, wants_activity_json
from federation.uris import instance_actor_uri, transparency_log_uri
from governance.access import is_moderator
from governance.api.entities import log_entry_entity
from governance.log_activities import log_context, log_entry_create, log_entry_note
from governance.models import LogEntry, LogVisibility
from governance.selectors import log_entries_for, log_entry_links, log_visibilities_for
from members.eligibility import is_eligible_voter
from members.models import User

PAGE_SIZE = 50


def log_collection_uri() -> str:
    """Return the id of the log's public ActivityPub collection (the instance actor's outbox)."""
    return transparency_log_uri()


def _visibilities(request: HttpRequest) -> list[str]:
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    member = user is not None and is_eligible_voter(user.pk, timezone.now())
    return log_visibilities_for(member=member, moderator=is_moderator(user))


def _fetch_refusal(request: HttpRequest) -> HttpResponse | None:
    # Peers fetch as they fetch any collection: signed in secure mode, and
    # never from a suspended domain.
    try:
        check_fetch_allowed(request)
    except ActivityRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    return None


def _after(request: HttpRequest) -> int:
    raw = request.GET.get("after", "0")
    return int(raw) if raw.isdigit() else 0


def _public_create(entry: LogEntry) -> dict[str, Any]:
    create = log_entry_create(entry)
    del create["@context"]
    return create


@require_GET
def log_page(request: HttpRequest) -> HttpResponse:
    """Serve the log: HTML for people, ?format=json for scripts, a collection for ActivityPub peers.

    The collection is the instance actor's outbox: each item is the Create
    that delivered a public entry to the peers following the instance actor.

    Peers and anonymous readers see public entries; members and moderators
    signed in to the web app see their levels too.
    """
    if wants_activity_json(request):
        refusal = _fetch_refusal(request)
        if refusal is not None:
            return refusal
        public = LogEntry.objects.filter(visibility=LogVisibility.PUBLIC)
        page = request.GET.get("page")
        if page is None:
            return activity_response(
                {
                    "@context": log_context(),
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
            "@context": log_context(),
            "id": f"{log_collection_uri()}?page=true&after={after}",
            "type": "OrderedCollectionPage",
            "partOf": log_collection_uri(),
            "orderedItems": [_public_create(entry) for entry in entries],
        }
        if len(entries) == PAGE_SIZE:
            document["next"] = f"{log_collection_uri()}?page=true&after={entries[-1].sequence}"
        return activity_response(document)
    allowed = _visibilities(request)
    # Readers narrow the log by kind of entry and by visibility, never beyond what they may see.
    kinds = [kind for kind in request.GET.getlist("kind") if kind in LogEntry.Kind.values]
    wanted = [level for level in request.GET.getlist("visibility") if level in allowed]
    entries = log_entries_for(wanted or allowed, after=_after(request), limit=PAGE_SIZE, kinds=kinds)
    if request.GET.get("format") == "json":
        return JsonResponse([log_entry_entity(entry) for entry in entries], safe=False)
    next_after = entries[-1].sequence if len(entries) == PAGE_SIZE else None
    filters = "".join(f"&kind={kind}" for kind in kinds) + "".join(f"&visibility={level}" for level in wanted)
    context = {
        "entries": entries,
        "next_after": next_after,
        "kinds": LogEntry.Kind.choices,
        "chosen_kinds": kinds,
        "visibilities": [(value, label) for value, label in LogVisibility.choices if value in allowed],
        "chosen_visibilities": wanted,
        "filter_query": filters,
        "collection_uri": log_collection_uri(),
    }
    return render(request, "governance/log.html", context)


@require_GET
def log_entry(request: HttpRequest, sequence: int) -> HttpResponse:
    """Serve one entry: a Note for peers (public entries only), JSON, or its own page.

    The page shows what the entry links: the vote that decided it, the rule
    versions it cites, the moderation action, and other entries about them.

    A reader who may not see the entry gets 404, as if it did not exist.
    """
    if wants_activity_json(request):
        refusal = _fetch_refusal(request)
        if refusal is not None:
            return refusal
        entry = LogEntry.objects.filter(sequence=sequence, visibility=LogVisibility.PUBLIC).first()
        if entry is None:
            raise Http404("No such log entry")
        return activity_response({"@context": log_context(), **log_entry_note(entry)})
    entry = LogEntry.objects.filter(sequence=sequence, visibility__in=_visibilities(request)).first()
    if entry is None:
        raise Http404("No such log entry")
    if request.GET.get("format") == "json":
        return JsonResponse(log_entry_entity(entry))
    context = {
        "entry": entry,
        "links": log_entry_links(entry, _visibilities(request)),
        "data_json": json.dumps(entry.data, indent=2, sort_keys=True, ensure_ascii=False),
        "in_log": f"{reverse('governance:log')}?after={sequence - 1}#entry-{sequence}",
    }
    return render(request, "governance/log_entry.html", context)
