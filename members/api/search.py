"""The client API's v2 search: accounts, statuses and hashtags, resolving handles and URLs when asked."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from config.api.auth import require_token, token_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.access import visible_accounts
from federation.models import Actor
from federation.selectors import is_domain_suspended
from members.actions.search import do_resolve_url, is_url, known_object_for_url
from members.api.accounts import MAX_SEARCH_RESULTS, search_accounts
from timeline.access import can_view_status
from timeline.entities.accounts import account_entities
from timeline.entities.statuses import status_entities, with_authors
from timeline.entities.tags import tag_entities
from timeline.models import Status, Tag, Visibility

SEARCH_TYPES = ("accounts", "statuses", "hashtags")


def _statuses(query: str, viewer: Actor | None, *, limit: int, offset: int) -> list[Status]:
    if viewer is None:
        return []
    # Without a full-text index, search covers public posts and the viewer's own.
    matches = with_authors(
        Status.objects.filter(text__icontains=query, reblog_of__isnull=True).filter(
            Q(visibility=Visibility.PUBLIC) | Q(account=viewer)
        )
    ).order_by("-id")
    return list(matches[offset : offset + limit])


def _by_url(url: str, viewer: Actor | None, *, resolve: bool) -> tuple[list[Actor], list[Status]]:
    """Return the account or status a URL names, as Mastodon's search does.

    Only a signed-in account's search with `resolve` asks the URL's server;
    otherwise only what is stored here is found. What the viewer may not see
    is left out.
    """
    found = do_resolve_url(url) if resolve and viewer is not None else known_object_for_url(url)
    if isinstance(found, Status):
        status = with_authors(Status.objects.filter(pk=found.pk)).first()
        return [], [status] if status is not None and can_view_status(viewer, status) else []
    if isinstance(found, Actor) and visible_accounts().filter(pk=found.pk).exists():
        return ([found] if not (found.domain and is_domain_suspended(found.domain)) else []), []
    return [], []


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
    if is_url(query):
        if offset == 0:
            accounts, statuses = _by_url(query, viewer, resolve=params.get_bool("resolve"))
        accounts = accounts if kind in ("", "accounts") else []
        statuses = statuses if kind in ("", "statuses") else []
    elif kind in ("", "accounts"):
        accounts = search_accounts(
            query,
            viewer=viewer,
            limit=limit,
            offset=offset,
            following=params.get_bool("following"),
            resolve=params.get_bool("resolve"),
        )
    if kind in ("", "statuses") and not is_url(query):
        statuses = _statuses(query, viewer, limit=limit, offset=offset)
    if kind in ("", "hashtags") and not is_url(query) and not query.startswith("@"):
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
