"""The client API's endorsements: accounts a member features on their profile (Mastodon's account pins)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from federation.access import access_account_by_id
from timeline.actions.endorsements import check_endorse, do_endorse, do_unendorse
from timeline.entities.accounts import account_entities, relationship_entities
from timeline.selectors import endorsements_of


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def endorse(request: HttpRequest, account_id: str) -> JsonResponse:
    """Feature a followed account on the token owner's profile; answer the relationship."""
    actor = required_actor(request)
    target = access_account_by_id(account_id)
    do_endorse(check_endorse(actor, target))
    return JsonResponse(relationship_entities(actor, [target])[0])


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def unendorse(request: HttpRequest, account_id: str) -> JsonResponse:
    """Stop featuring an account; answer the relationship."""
    actor = required_actor(request)
    target = access_account_by_id(account_id)
    do_unendorse(actor, target)
    return JsonResponse(relationship_entities(actor, [target])[0])


@api_view("GET")
@require_token("read:accounts")
def endorsements(request: HttpRequest) -> JsonResponse:
    """Return the accounts the token owner endorses, the latest first, paged by endorsement."""
    actor = required_actor(request)
    page = paginate(endorsements_of(actor), PageRequest.from_request(request, default=40, maximum=80))
    return paginated_response(request, account_entities([item.target for item in page]), [item.pk for item in page])


@api_view("GET")
@optional_token("read:accounts")
def account_endorsements(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return the accounts an account features on its profile, the latest first, paged by endorsement."""
    account = access_account_by_id(account_id)
    page = paginate(endorsements_of(account), PageRequest.from_request(request, default=40, maximum=80))
    return paginated_response(request, account_entities([item.target for item in page]), [item.pk for item in page])
