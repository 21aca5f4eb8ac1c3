"""The client API's profile directory: accounts that chose to be discoverable."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from config.api.auth import optional_token
from config.api.errors import ApiError, api_view
from config.api.pagination import OffsetPageRequest
from config.api.params import ApiParams
from timeline.entities.accounts import account_entities
from timeline.selectors import directory_accounts

ORDERS = ("active", "new")


@api_view("GET")
@optional_token("read:accounts")
def directory(request: HttpRequest) -> JsonResponse:
    """Return discoverable accounts, the most recently active (`order=active`) or newest (`new`) first."""
    params = ApiParams.from_request(request)
    order = params.get_str("order", "active") or "active"
    if order not in ORDERS:
        raise ApiError("order must be active or new", 422)
    page = OffsetPageRequest.from_request(request, default=40, maximum=80)
    accounts = directory_accounts(order=order, local=params.get_bool("local"))
    return JsonResponse(account_entities(list(accounts[page.offset : page.offset + page.limit])), safe=False)
