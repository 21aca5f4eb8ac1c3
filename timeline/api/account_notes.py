"""The client API's account notes: a private comment about another account, shown in the relationship."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from federation.access import access_account_by_id
from timeline.actions.notes import check_set_account_note, do_set_account_note
from timeline.entities.accounts import relationship_entities


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def note(request: HttpRequest, account_id: str) -> JsonResponse:
    """Set the token owner's note about an account (an empty `comment` removes it)."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    comment = ApiParams.from_request(request).get_str("comment")
    check_set_account_note(viewer, target, comment)
    do_set_account_note(viewer, target, comment)
    return JsonResponse(relationship_entities(viewer, [target])[0])
