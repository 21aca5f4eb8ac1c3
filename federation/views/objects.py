"""ActivityStreams documents of actors and statuses, at their ids."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_GET

from federation.access import access_local_actor_by_username
from federation.actions.instance_actor import instance_actor
from federation.errors import ActivityRefused
from federation.negotiation import activity_response, gone_document, wants_activity_json
from federation.renderers import note_for_status, person_for_actor
from federation.selectors import erased_local_actor
from federation.uris import status_uri, status_url
from federation.views.fetch_guard import check_fetch_of
from timeline.access import access_local_status_by_author


@require_GET
def actor_document(request: HttpRequest, username: str) -> HttpResponse:
    """Serve a local actor's document; send browsers to the profile page.

    Actor documents stay readable unsigned even in secure mode: a peer must
    fetch a key before it can sign anything.
    """
    erased = erased_local_actor(username)
    if erased is not None and erased.deleted_at is not None:
        if not wants_activity_json(request):
            return HttpResponseRedirect(erased.url)
        return gone_document(erased.uri, erased.kind, erased.deleted_at)
    actor = access_local_actor_by_username(username)
    if not wants_activity_json(request):
        return HttpResponseRedirect(actor.url)
    return activity_response(person_for_actor(actor).to_json())


@require_GET
def instance_actor_document(request: HttpRequest) -> HttpResponse:
    """Serve the server's own Application actor, whose key signs fetches."""
    return activity_response(person_for_actor(instance_actor()).to_json())


@require_GET
def status_document(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    """Serve a local status as a Note to whoever may see it; send browsers to the status page.

    A status of an erased account answers 410 Gone, with a Tombstone for peers.
    A fetcher the author blocks gets 404, one suspended here 403.
    """
    erased = erased_local_actor(username)
    if erased is not None and erased.deleted_at is not None:
        if not wants_activity_json(request):
            return HttpResponseRedirect(status_url(erased.username, status_id))
        return gone_document(status_uri(erased.username, status_id), "Note", erased.deleted_at)
    if not wants_activity_json(request):
        status = access_local_status_by_author(None, username, status_id)
        return HttpResponseRedirect(status.url)
    author = access_local_actor_by_username(username)
    try:
        fetcher = check_fetch_of(request, author, refused_status=404)
    except ActivityRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    status = access_local_status_by_author(fetcher, username, status_id)
    return activity_response(note_for_status(status).to_json())
