"""ActivityStreams documents of actors and statuses, at their ids."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from federation.access import access_local_actor_by_username
from federation.negotiation import activity_response, wants_activity_json
from federation.renderers import note_for_status, person_for_actor
from timeline.access import access_local_status_by_author


@require_GET
def actor_document(request: HttpRequest, username: str) -> HttpResponse:
    """Serve a local actor's document; send browsers to the profile page."""
    actor = access_local_actor_by_username(username)
    if not wants_activity_json(request):
        return HttpResponseRedirect(actor.url)
    return activity_response(person_for_actor(actor).to_json())


@require_GET
def status_document(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    """Serve a local status as a Note; send browsers to the status page."""
    status = access_local_status_by_author(None, username, status_id)
    if not wants_activity_json(request):
        return HttpResponseRedirect(status.url)
    return activity_response(note_for_status(status).to_json())
