"""ActivityStreams documents of actors, at their ids (statuses are the timeline's: `timeline.activitypub.views`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from federation.access import access_local_actor_by_username
from federation.actions.instance_actor import instance_actor
from federation.negotiation import activity_response, gone_document, wants_activity_json
from federation.renderers import person_for_actor
from federation.selectors import erased_local_actor


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
