"""The client API's status pins: feature one's own statuses on one's profile."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from timeline.access import access_status_by_id
from timeline.actions.pins import check_pin, do_pin, do_unpin
from timeline.api.statuses import status_id_from_path
from timeline.entities.statuses import status_entity


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def pin(request: HttpRequest, status_id: str) -> JsonResponse:
    """Pin one of the token owner's public or unlisted statuses (at most five)."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    check_pin(actor, status)
    return JsonResponse(status_entity(do_pin(actor, status), actor))


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def unpin(request: HttpRequest, status_id: str) -> JsonResponse:
    """Unpin one of the token owner's statuses."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    return JsonResponse(status_entity(do_unpin(actor, status), actor))
