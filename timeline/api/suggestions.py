"""The client API's follow suggestions (v1 and v2) and their dismissal."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from federation.access import access_account_by_id
from timeline.actions.suggestions import do_dismiss_suggestion
from timeline.entities.accounts import account_entities
from timeline.selectors import SUGGESTION_LEGACY_SOURCE, Suggestion, follow_suggestions_for

DEFAULT_LIMIT = 40
MAX_LIMIT = 80


def _suggestions(request: HttpRequest) -> list[Suggestion]:
    limit = ApiParams.from_request(request).get_int("limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    return follow_suggestions_for(required_actor(request), limit=limit or DEFAULT_LIMIT)


@api_view("GET")
@require_token("read")
def suggestions_v2(request: HttpRequest) -> JsonResponse:
    """Return accounts to follow with why each is suggested."""
    found = _suggestions(request)
    accounts = account_entities([item.account for item in found])
    return JsonResponse(
        [
            {
                "source": SUGGESTION_LEGACY_SOURCE[item.sources[0]],
                "sources": [str(source) for source in item.sources],
                "account": account,
            }
            for item, account in zip(found, accounts, strict=True)
        ],
        safe=False,
    )


@api_view("GET")
@require_token("read")
def suggestions_v1(request: HttpRequest) -> JsonResponse:
    """Return accounts to follow (v1: the accounts alone)."""
    return JsonResponse(account_entities([item.account for item in _suggestions(request)]), safe=False)


@csrf_exempt
@api_view("DELETE")
@require_token("read")
def dismiss(request: HttpRequest, account_id: str) -> JsonResponse:
    """Never suggest this account to the token owner again; answer an empty object."""
    actor = required_actor(request)
    do_dismiss_suggestion(actor, access_account_by_id(account_id))
    return JsonResponse({})
