"""The client API's v2 search: accounts, statuses and hashtags, resolving handles and URLs when asked."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from config.api.auth import require_token, token_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.models import Actor
from members.api.accounts import MAX_SEARCH_RESULTS, search_accounts
from timeline.access import can_view_status
from timeline.entities.accounts import account_entities
from timeline.entities.statuses import status_entities, with_authors
from timeline.entities.tags import tag_entities
from timeline.models import Status, Tag, Visibility

SEARCH_TYPES = ("accounts", "statuses", "hashtags")


def _statuses(query: str, viewer: Actor | None, *, limit: int, offset: int) -> list[Status]:
    if query.startswith(("https://", "http://")):
        found = with_authors(Status.objects.filter(Q(uri=query) | Q(url=query)))
        return [status for status in found[:1] if can_view_status(viewer, status)]
    if viewer is None:
        return []
    # Without a full-text index, search covers public posts and the viewer's own.
    matches = with_authors(
        Status.objects.filter(text__icontains=query, reblog_of__isnull=True).filter(
            Q(visibility=Visibility.PUBLIC) | Q(account=viewer)
        )
    ).order_by("-id")
    return list(matches[offset : offset + limit])


@api_view("GET")
@require_token("read:search", "read:accounts")
def search(request: HttpRequest) -> JsonResponse:
    """Search accounts, statuses and hashtags; `type` narrows it, `resolve=true` asks other servers for handles."""
    params = ApiParams.from_request(request)
    query = params.get_str("q").strip()
    if not query:
        raise ApiError("q is missing", 400)
    kind = params.get_str("type")
    if kind and kind not in SEARCH_TYPES:
        raise ApiError(f"type must be one of {', '.join(SEARCH_TYPES)}", 422)
    viewer = token_actor(request)
    limit = params.get_int("limit", 20, minimum=1, maximum=MAX_SEARCH_RESULTS) or 20
    offset = params.get_int("offset", 0, minimum=0) or 0
    accounts: list[Actor] = []
    statuses: list[Status] = []
    hashtags: list[Tag] = []
    if kind in ("", "accounts") and not query.startswith(("https://", "http://")):
        accounts = search_accounts(
            query,
            viewer=viewer,
            limit=limit,
            offset=offset,
            following=params.get_bool("following"),
            resolve=params.get_bool("resolve"),
        )
    if kind in ("", "statuses"):
        statuses = _statuses(query, viewer, limit=limit, offset=offset)
    if kind in ("", "hashtags") and not query.startswith(("https://", "http://", "@")):
        name = query.lstrip("#").lower()
        found = Tag.objects.filter(name__istartswith=name).order_by("name")
        hashtags = list(found[offset : offset + limit])
    return JsonResponse(
        {
            "accounts": account_entities(accounts),
            "statuses": status_entities(statuses, viewer),
            "hashtags": tag_entities(hashtags, viewer),
        }
    )
