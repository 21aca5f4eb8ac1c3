"""The client API's announcements resource: the co-op's notices, marked read and reacted to by members."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from governance.actions.announcements import (
    access_announcement_by_id,
    check_add_reaction,
    do_add_reaction,
    do_dismiss_announcement,
    do_remove_reaction,
)
from governance.announcement_entities import announcement_entities
from governance.models import AnnouncementDismissal
from governance.selectors import announcements_shown


@api_view("GET")
@require_token("read")
def announcements(request: HttpRequest) -> JsonResponse:
    """Return the announcements shown now, in order of publication; those read only with `with_dismissed=true`."""
    viewer = required_actor(request)
    shown = announcements_shown()
    if not ApiParams.from_request(request).get_bool("with_dismissed"):
        shown = shown.exclude(pk__in=AnnouncementDismissal.objects.filter(account=viewer).values("announcement_id"))
    return JsonResponse(announcement_entities(list(shown[:100]), viewer), safe=False)


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def dismiss(request: HttpRequest, announcement_id: str) -> JsonResponse:
    """Mark an announcement read for the token's owner."""
    viewer = required_actor(request)
    do_dismiss_announcement(viewer, access_announcement_by_id(announcement_id))
    return JsonResponse({})


@csrf_exempt
@api_view("PUT", "DELETE")
@require_token("write:favourites")
def reaction(request: HttpRequest, announcement_id: str, name: str) -> JsonResponse:
    """Add (PUT) or remove (DELETE) the owner's reaction: a Unicode emoji or a local custom emoji's shortcode."""
    viewer = required_actor(request)
    announcement = access_announcement_by_id(announcement_id)
    if request.method == "PUT":
        do_add_reaction(viewer, announcement, check_add_reaction(viewer, announcement, name))
    else:
        do_remove_reaction(viewer, announcement, name)
    return JsonResponse({})
