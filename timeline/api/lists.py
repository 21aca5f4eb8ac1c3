"""The client API's lists: CRUD, their accounts, the lists holding an account, and the list timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import ApiError, api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from federation.access import access_account_by_id
from federation.models import Actor
from timeline.access import access_list_by_id
from timeline.actions.lists import (
    check_add_list_accounts,
    check_list,
    do_add_list_accounts,
    do_create_list,
    do_delete_list,
    do_remove_list_accounts,
    do_update_list,
)
from timeline.entities.accounts import account_entities
from timeline.entities.statuses import status_entities, with_authors
from timeline.filtering import without_hidden
from timeline.models import List, ListAccount, Status
from timeline.selectors import list_timeline_for


def list_entity(the_list: List) -> dict[str, Any]:
    """Return a List entity."""
    return {
        "id": str(the_list.pk),
        "title": the_list.title,
        "replies_policy": the_list.replies_policy,
        "exclusive": the_list.exclusive,
    }


def _draft_from(params: ApiParams, current: List | None = None) -> Any:
    return check_list(
        title=params.get_str("title", current.title if current else ""),
        replies_policy=params.get_str("replies_policy", current.replies_policy if current else "list")
        or (current.replies_policy if current else List.RepliesPolicy.LIST),
        exclusive=params.get_bool("exclusive", current.exclusive if current else False),
    )


@csrf_exempt
@api_view("GET", "POST")
def lists(request: HttpRequest) -> HttpResponse:
    """Return the token owner's lists (GET) or create one (POST)."""
    if request.method == "POST":
        return create_list(request)
    return list_lists(request)


@require_token("read:lists")
def list_lists(request: HttpRequest) -> JsonResponse:
    """Return all of the token owner's lists, oldest first."""
    owner = required_actor(request)
    return JsonResponse([list_entity(item) for item in List.objects.filter(account=owner).order_by("pk")], safe=False)


@require_token("write:lists")
def create_list(request: HttpRequest) -> JsonResponse:
    """Create a list."""
    owner = required_actor(request)
    return JsonResponse(list_entity(do_create_list(owner, _draft_from(ApiParams.from_request(request)))))


@csrf_exempt
@api_view("GET", "PUT", "DELETE")
def list_resource(request: HttpRequest, list_id: str) -> HttpResponse:
    """Return (GET), change (PUT) or delete (DELETE) one of the token owner's lists."""
    if request.method == "PUT":
        return update_list(request, list_id)
    if request.method == "DELETE":
        return delete_list(request, list_id)
    return show_list(request, list_id)


@require_token("read:lists")
def show_list(request: HttpRequest, list_id: str) -> JsonResponse:
    """Return one list."""
    return JsonResponse(list_entity(access_list_by_id(required_actor(request), list_id)))


@require_token("write:lists")
def update_list(request: HttpRequest, list_id: str) -> JsonResponse:
    """Change a list's title, replies policy or exclusivity; what is not given stays."""
    the_list = access_list_by_id(required_actor(request), list_id)
    return JsonResponse(list_entity(do_update_list(the_list, _draft_from(ApiParams.from_request(request), the_list))))


@require_token("write:lists")
def delete_list(request: HttpRequest, list_id: str) -> JsonResponse:
    """Delete a list; answer an empty object."""
    do_delete_list(access_list_by_id(required_actor(request), list_id))
    return JsonResponse({})


@csrf_exempt
@api_view("GET", "POST", "DELETE")
def list_accounts(request: HttpRequest, list_id: str) -> HttpResponse:
    """Return (GET), add (POST) or remove (DELETE) the accounts of a list."""
    if request.method == "POST":
        return add_list_accounts(request, list_id)
    if request.method == "DELETE":
        return remove_list_accounts(request, list_id)
    return show_list_accounts(request, list_id)


@require_token("read:lists")
def show_list_accounts(request: HttpRequest, list_id: str) -> JsonResponse:
    """Return the list's accounts, newest addition first; `limit=0` returns them all, as in Mastodon."""
    the_list = access_list_by_id(required_actor(request), list_id)
    entries = ListAccount.objects.filter(list=the_list).select_related("account")
    if request.GET.get("limit", "").strip() == "0":
        everything = list(entries.order_by("-pk"))
        return JsonResponse(account_entities([item.account for item in everything]), safe=False)
    page = paginate(entries, PageRequest.from_request(request, default=40, maximum=80))
    return paginated_response(request, account_entities([item.account for item in page]), [item.pk for item in page])


def _accounts(params: ApiParams) -> list[Actor]:
    ids = params.get_list("account_ids")
    if not ids:
        raise ApiError("Validation failed: account_ids can't be blank", 422)
    return [access_account_by_id(account_id) for account_id in ids]


@require_token("write:lists")
def add_list_accounts(request: HttpRequest, list_id: str) -> JsonResponse:
    """Add followed accounts to a list; an account not followed makes the whole request fail with 404."""
    the_list = access_list_by_id(required_actor(request), list_id)
    accounts = _accounts(ApiParams.from_request(request))
    check_add_list_accounts(the_list, accounts)
    do_add_list_accounts(the_list, accounts)
    return JsonResponse({})


@require_token("write:lists")
def remove_list_accounts(request: HttpRequest, list_id: str) -> JsonResponse:
    """Take accounts off a list; answer an empty object."""
    the_list = access_list_by_id(required_actor(request), list_id)
    ids = [int(item) for item in ApiParams.from_request(request).get_list("account_ids") if item.isdigit()]
    do_remove_list_accounts(the_list, ids)
    return JsonResponse({})


@api_view("GET")
@require_token("read:lists")
def account_lists(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return the token owner's lists that hold an account."""
    owner = required_actor(request)
    account = access_account_by_id(account_id)
    found = List.objects.filter(account=owner, entries__account=account).order_by("pk")
    return JsonResponse([list_entity(item) for item in found], safe=False)


@api_view("GET")
@require_token("read:lists")
def list_timeline(request: HttpRequest, list_id: str) -> JsonResponse:
    """Return the statuses of a list's members from the owner's home timeline, newest first."""
    owner = required_actor(request)
    the_list = access_list_by_id(owner, list_id)
    page = paginate(list_timeline_for(the_list, owner), PageRequest.from_request(request), field="status_id")
    ids = [entry.status_id for entry in page]
    loaded = with_authors(Status.objects.all()).in_bulk(ids)
    statuses = [loaded[status_id] for status_id in ids if status_id in loaded]
    body = without_hidden(status_entities(statuses, owner, context="home"))
    return paginated_response(request, body, ids)
