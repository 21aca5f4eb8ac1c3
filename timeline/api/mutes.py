"""The client API's mutes: mute and unmute accounts and threads, and the list of muted accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from config.api.timestamps import iso_with_millis
from federation.access import access_account_by_id
from timeline.access import access_status_by_id
from timeline.actions.mutes import check_mute, do_mute, do_mute_conversation, do_unmute, do_unmute_conversation
from timeline.api.statuses import status_id_from_path
from timeline.entities.accounts import account_entities, relationship_entities
from timeline.entities.statuses import status_entity
from timeline.selectors import active_mutes


@csrf_exempt
@api_view("POST")
@require_token("write:mutes")
def mute(request: HttpRequest, account_id: str) -> JsonResponse:
    """Mute an account (`notifications` defaults to true; `duration` in seconds, 0 for ever)."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    params = ApiParams.from_request(request)
    notifications = params.get_bool("notifications", default=True)
    duration = params.get_int("duration", 0) or 0
    check_mute(viewer, target, duration=duration)
    do_mute(viewer, target, notifications=notifications, duration=duration)
    return JsonResponse(relationship_entities(viewer, [target])[0])


@csrf_exempt
@api_view("POST")
@require_token("write:mutes")
def unmute(request: HttpRequest, account_id: str) -> JsonResponse:
    """Lift a mute."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    do_unmute(viewer, target)
    return JsonResponse(relationship_entities(viewer, [target])[0])


@api_view("GET")
@require_token("read:mutes")
def mutes(request: HttpRequest) -> JsonResponse:
    """Return the accounts the token owner mutes, newest mute first, each with `mute_expires_at`."""
    viewer = required_actor(request)
    page = paginate(
        active_mutes(viewer).select_related("target"), PageRequest.from_request(request, default=40, maximum=80)
    )
    body: list[dict[str, Any]] = []
    for item, entity in zip(page, account_entities([item.target for item in page]), strict=True):
        entity["mute_expires_at"] = iso_with_millis(item.expires_at) if item.expires_at else None
        body.append(entity)
    return paginated_response(request, body, [item.pk for item in page])


@csrf_exempt
@api_view("POST")
@require_token("write:mutes")
def mute_status(request: HttpRequest, status_id: str) -> JsonResponse:
    """Stop notifications from the thread of a status the token owner may see."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    do_mute_conversation(actor, status)
    return JsonResponse(status_entity(status, actor))


@csrf_exempt
@api_view("POST")
@require_token("write:mutes")
def unmute_status(request: HttpRequest, status_id: str) -> JsonResponse:
    """Let notifications from a status's thread through again."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    do_unmute_conversation(actor, status)
    return JsonResponse(status_entity(status, actor))
