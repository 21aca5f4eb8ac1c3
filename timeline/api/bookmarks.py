"""The client API's bookmarks: bookmark and unbookmark a status, and the list of one's bookmarks."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from timeline.access import access_status_by_id, can_view_status
from timeline.actions.bookmarks import check_bookmark, do_bookmark, do_unbookmark
from timeline.api.statuses import status_id_from_path
from timeline.entities.statuses import status_entities, status_entity
from timeline.models import Bookmark


@csrf_exempt
@api_view("POST")
@require_token("write:bookmarks")
def bookmark(request: HttpRequest, status_id: str) -> JsonResponse:
    """Bookmark a status the token owner may see; answer the status."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    check_bookmark(actor, status.reblog_of or status)
    do_bookmark(actor, status)
    return JsonResponse(status_entity(status, actor))


@csrf_exempt
@api_view("POST")
@require_token("write:bookmarks")
def unbookmark(request: HttpRequest, status_id: str) -> JsonResponse:
    """Remove a bookmark; answer the status."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    do_unbookmark(actor, status)
    return JsonResponse(status_entity(status, actor))


@api_view("GET")
@require_token("read:bookmarks")
def bookmarks(request: HttpRequest) -> JsonResponse:
    """Return the token owner's bookmarked statuses, newest bookmark first, paged by bookmark."""
    viewer = required_actor(request)
    page = paginate(
        Bookmark.objects.filter(account=viewer).select_related("status__account"),
        PageRequest.from_request(request, default=20, maximum=40),
    )
    # A bookmark outlives the viewer's right to see its status (an unfollow); such statuses are left out.
    statuses = [item.status for item in page if can_view_status(viewer, item.status)]
    return paginated_response(request, status_entities(statuses, viewer), [item.pk for item in page])
