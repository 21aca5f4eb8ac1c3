"""Favourites and boosts through the client API, and who favourited or boosted a status."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from timeline.access import access_status_by_id
from timeline.actions.interactions import (
    check_favourite,
    check_reblog,
    do_favourite,
    do_reblog,
    do_unfavourite,
    do_unreblog,
)
from timeline.api.statuses import status_id_from_path
from timeline.entities.accounts import account_entities
from timeline.entities.statuses import status_entity
from timeline.models import Favourite, Status


@csrf_exempt
@api_view("POST")
@require_token("write:favourites")
def favourite(request: HttpRequest, status_id: str) -> JsonResponse:
    """Favourite a status the token owner may see."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    check_favourite(actor, status)
    do_favourite(actor, status)
    return JsonResponse(status_entity(status, actor))


@csrf_exempt
@api_view("POST")
@require_token("write:favourites")
def unfavourite(request: HttpRequest, status_id: str) -> JsonResponse:
    """Withdraw a favourite."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    do_unfavourite(actor, status)
    return JsonResponse(status_entity(status, actor))


@csrf_exempt
@api_view("POST")
@require_token("write:statuses")
def reblog(request: HttpRequest, status_id: str) -> JsonResponse:
    """Boost a status; answer the boost, with the original inside."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    original = status.reblog_of or status
    visibility = ApiParams.from_request(request).get_str("visibility", "public") or "public"
    check_reblog(actor, original, visibility)
    return JsonResponse(status_entity(do_reblog(actor, original, visibility), actor))


@csrf_exempt
@api_view("POST")
@require_token("write:statuses")
def unreblog(request: HttpRequest, status_id: str) -> JsonResponse:
    """Withdraw a boost; answer the original status."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    original = status.reblog_of or status
    do_unreblog(actor, original)
    return JsonResponse(status_entity(original, actor))


@api_view("GET")
@optional_token("read:accounts")
def favourited_by(request: HttpRequest, status_id: str) -> JsonResponse:
    """Return the accounts that favourited a visible status, newest first, paged by favourite."""
    status = access_status_by_id(token_actor(request), status_id_from_path(status_id))
    page = paginate(
        Favourite.objects.filter(status=status).select_related("account"),
        PageRequest.from_request(request, default=40, maximum=80),
    )
    return paginated_response(request, account_entities([item.account for item in page]), [item.pk for item in page])


@api_view("GET")
@optional_token("read:accounts")
def reblogged_by(request: HttpRequest, status_id: str) -> JsonResponse:
    """Return the accounts that boosted a visible status, newest first, paged by boost."""
    status = access_status_by_id(token_actor(request), status_id_from_path(status_id))
    page = paginate(
        Status.objects.filter(reblog_of=status).select_related("account"),
        PageRequest.from_request(request, default=40, maximum=80),
    )
    return paginated_response(request, account_entities([item.account for item in page]), [item.pk for item in page])
