"""Co-op API for deleting one's account (/api/v1/coop/deletion).

Requesting needs a `write:coop` token and a fresh password confirmation.
The login is deactivated from then on, so its tokens stop working:
cancelling is done with the username and password instead, as on the web.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token
from config.api.errors import api_view
from config.api.params import ApiParams
from federation.uris import base_url
from members.actions.deletion import (
    check_cancel_account_deletion,
    check_request_account_deletion,
    do_cancel_account_deletion,
    do_request_account_deletion,
    receipt_path,
)
from members.api.auth import token_user
from members.models import AccountDeletion


def _deletion_entity(deletion: AccountDeletion) -> dict[str, Any]:
    return {
        "state": deletion.state,
        "handle": deletion.handle,
        "requested_at": deletion.requested_at.isoformat(),
        "erase_after": deletion.erase_after.isoformat(),
        "cancelled_at": deletion.cancelled_at.isoformat() if deletion.cancelled_at else None,
        "servers": list(deletion.servers),
    }


@csrf_exempt
@api_view("POST")
@require_token("write:coop")
def request_deletion(request: HttpRequest) -> JsonResponse:
    """Schedule the token owner's deletion (password, immediate); answer with the receipt link, shown once."""
    params = ApiParams.from_request(request)
    plan = check_request_account_deletion(
        token_user(request), password=params.get_str("password"), immediate=params.get_bool("immediate")
    )
    deletion, token = do_request_account_deletion(plan)
    body = _deletion_entity(deletion)
    body["receipt_url"] = f"{base_url()}{receipt_path(token)}"
    body["receipt_json_url"] = f"{base_url()}{receipt_path(token)}.json"
    return JsonResponse(body, status=202)


@csrf_exempt
@api_view("POST")
def cancel_deletion(request: HttpRequest) -> JsonResponse:
    """Cancel a scheduled deletion, given the account's username and password."""
    params = ApiParams.from_request(request)
    deletion = check_cancel_account_deletion(params.get_str("username"), params.get_str("password"))
    return JsonResponse(_deletion_entity(do_cancel_account_deletion(deletion)))
