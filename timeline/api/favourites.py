"""The client API's favourites resource: the statuses the token owner favourited."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from timeline.access import can_view_status
from timeline.entities.statuses import status_entities
from timeline.models import Favourite


@api_view("GET")
@require_token("read:favourites")
def favourites(request: HttpRequest) -> JsonResponse:
    """Return the statuses the token owner favourited, newest favourite first, paged by favourite."""
    viewer = required_actor(request)
    page = paginate(
        Favourite.objects.filter(account=viewer).select_related("status__account"),
        PageRequest.from_request(request),
    )
    statuses = [favourite.status for favourite in page if can_view_status(viewer, favourite.status)]
    return paginated_response(request, status_entities(statuses, viewer), [favourite.pk for favourite in page])
