"""The client API's filters: v2 filters with their keywords and statuses, and the v1 read view of keywords."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from timeline.access import (
    access_filter_by_id,
    access_filter_keyword_by_id,
    access_filter_status_by_id,
    access_status_by_id,
)
from timeline.actions.filters import (
    KeywordChange,
    check_filter,
    check_keyword,
    do_add_filter_keyword,
    do_add_filter_status,
    do_create_filter,
    do_delete_filter,
    do_delete_filter_keyword,
    do_remove_filter_status,
    do_update_filter,
    do_update_filter_keyword,
)
from timeline.api.statuses import status_id_from_path
from timeline.entities.filters import (
    filter_entity,
    filter_keyword_entity,
    filter_status_entity,
    v1_filter_entity,
)
from timeline.models import Filter, FilterKeyword


def _keyword_changes(params: ApiParams) -> list[KeywordChange]:
    """Read `keywords_attributes` given as JSON objects, indexed form fields or `[][keyword]` form fields."""
    changes: list[KeywordChange] = []
    indexed = params.get_dicts("keywords_attributes")
    # `[][keyword]` fields carry no index; they are read below, in the order given.
    for index in sorted((key for key in indexed if key), key=lambda key: (len(key), key)):
        changes.append(_change(indexed[index]))
    keywords = params.get_list("keywords_attributes[][keyword]")
    whole_words = params.get_list("keywords_attributes[][whole_word]")
    ids = params.get_list("keywords_attributes[][id]")
    destroys = params.get_list("keywords_attributes[][_destroy]")
    for position, keyword in enumerate(keywords):
        item = {"keyword": keyword}
        if len(whole_words) == len(keywords):
            item["whole_word"] = whole_words[position]
        if len(ids) == len(keywords):
            item["id"] = ids[position]
        if len(destroys) == len(keywords):
            item["_destroy"] = destroys[position]
        changes.append(_change(item))
    return changes


def _truthy(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "on", "yes", "t")


def _change(item: dict[str, str]) -> KeywordChange:
    raw_id = item.get("id", "").strip()
    return KeywordChange(
        keyword=item.get("keyword", ""),
        whole_word=_truthy(item.get("whole_word"), True),
        keyword_id=int(raw_id) if raw_id.isdigit() else None,
        destroy=_truthy(item.get("_destroy"), False),
    )


def _expires_in(params: ApiParams) -> int | None:
    text = params.get_str("expires_in").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ApiError("Validation failed: expires_in must be a number of seconds", 422)
    return int(text)


def _own_filters(request: HttpRequest) -> list[Filter]:
    owner = required_actor(request)
    return list(Filter.objects.filter(account=owner).prefetch_related("keywords", "statuses").order_by("pk"))


@csrf_exempt
@api_view("GET", "POST")
def filters(request: HttpRequest) -> HttpResponse:
    """Return the token owner's filters (GET) or create one (POST)."""
    if request.method == "POST":
        return create_filter(request)
    return list_filters(request)


@require_token("read:filters")
def list_filters(request: HttpRequest) -> JsonResponse:
    """Return all of the token owner's filters, expired ones included, as Mastodon does."""
    return JsonResponse([filter_entity(item) for item in _own_filters(request)], safe=False)


@require_token("write:filters")
def create_filter(request: HttpRequest) -> JsonResponse:
    """Create a filter with its keywords."""
    owner = required_actor(request)
    params = ApiParams.from_request(request)
    draft = check_filter(
        title=params.get_str("title"),
        context=params.get_list("context"),
        filter_action=params.get_str("filter_action", Filter.Action.WARN) or Filter.Action.WARN,
        expires_in=_expires_in(params),
        keywords=_keyword_changes(params),
    )
    created = do_create_filter(owner, draft)
    return JsonResponse(filter_entity(access_filter_by_id(owner, created.pk)))


@csrf_exempt
@api_view("GET", "PUT", "DELETE")
def filter_resource(request: HttpRequest, filter_id: str) -> HttpResponse:
    """Return (GET), change (PUT) or delete (DELETE) one of the token owner's filters."""
    if request.method == "PUT":
        return update_filter(request, filter_id)
    if request.method == "DELETE":
        return delete_filter(request, filter_id)
    return show_filter(request, filter_id)


@require_token("read:filters")
def show_filter(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Return one filter."""
    return JsonResponse(filter_entity(access_filter_by_id(required_actor(request), filter_id)))


@require_token("write:filters")
def update_filter(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Change a filter; what is not given stays, and `keywords_attributes` adds, changes or removes keywords."""
    owner = required_actor(request)
    the_filter = access_filter_by_id(owner, filter_id)
    params = ApiParams.from_request(request)
    draft = check_filter(
        title=params.get_str("title", the_filter.title),
        context=params.get_list("context") or list(the_filter.context),
        filter_action=params.get_str("filter_action", the_filter.filter_action) or the_filter.filter_action,
        expires_in=_expires_in(params),
        keywords=_keyword_changes(params),
    )
    do_update_filter(the_filter, draft, keep_expiry="expires_in" not in params)
    return JsonResponse(filter_entity(access_filter_by_id(owner, the_filter.pk)))


@require_token("write:filters")
def delete_filter(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Delete a filter; answer an empty object."""
    do_delete_filter(access_filter_by_id(required_actor(request), filter_id))
    return JsonResponse({})


@csrf_exempt
@api_view("GET", "POST")
def filter_keywords(request: HttpRequest, filter_id: str) -> HttpResponse:
    """Return (GET) or add to (POST) a filter's keywords."""
    if request.method == "POST":
        return add_filter_keyword(request, filter_id)
    return list_filter_keywords(request, filter_id)


@require_token("read:filters")
def list_filter_keywords(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Return a filter's keywords."""
    the_filter = access_filter_by_id(required_actor(request), filter_id)
    return JsonResponse([filter_keyword_entity(item) for item in the_filter.keywords.all()], safe=False)


@require_token("write:filters")
def add_filter_keyword(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Add a keyword to a filter."""
    the_filter = access_filter_by_id(required_actor(request), filter_id)
    params = ApiParams.from_request(request)
    keyword = check_keyword(params.get_str("keyword"))
    return JsonResponse(
        filter_keyword_entity(do_add_filter_keyword(the_filter, keyword, params.get_bool("whole_word", True)))
    )


@csrf_exempt
@api_view("GET", "PUT", "DELETE")
def filter_keyword(request: HttpRequest, keyword_id: str) -> HttpResponse:
    """Return (GET), change (PUT) or delete (DELETE) one keyword of the token owner's filters."""
    if request.method == "GET":
        return show_filter_keyword(request, keyword_id)
    return change_filter_keyword(request, keyword_id)


@require_token("read:filters")
def show_filter_keyword(request: HttpRequest, keyword_id: str) -> JsonResponse:
    """Return one filter keyword."""
    return JsonResponse(filter_keyword_entity(access_filter_keyword_by_id(required_actor(request), keyword_id)))


@require_token("write:filters")
def change_filter_keyword(request: HttpRequest, keyword_id: str) -> JsonResponse:
    """Change (PUT) or delete (DELETE) a filter keyword."""
    item = access_filter_keyword_by_id(required_actor(request), keyword_id)
    if request.method == "DELETE":
        do_delete_filter_keyword(item)
        return JsonResponse({})
    params = ApiParams.from_request(request)
    keyword = check_keyword(params.get_str("keyword", item.keyword))
    return JsonResponse(
        filter_keyword_entity(do_update_filter_keyword(item, keyword, params.get_bool("whole_word", item.whole_word)))
    )


@csrf_exempt
@api_view("GET", "POST")
def filter_statuses(request: HttpRequest, filter_id: str) -> HttpResponse:
    """Return (GET) or add to (POST) the statuses a filter matches."""
    if request.method == "POST":
        return add_filter_status(request, filter_id)
    return list_filter_statuses(request, filter_id)


@require_token("read:filters")
def list_filter_statuses(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Return the statuses a filter matches."""
    the_filter = access_filter_by_id(required_actor(request), filter_id)
    return JsonResponse([filter_status_entity(item) for item in the_filter.statuses.all()], safe=False)


@require_token("write:filters")
def add_filter_status(request: HttpRequest, filter_id: str) -> JsonResponse:
    """Make a filter match a status the token owner may see."""
    owner = required_actor(request)
    the_filter = access_filter_by_id(owner, filter_id)
    status = access_status_by_id(owner, status_id_from_path(ApiParams.from_request(request).get_str("status_id")))
    item = do_add_filter_status(the_filter, status)
    return JsonResponse(filter_status_entity(item))


@csrf_exempt
@api_view("GET", "DELETE")
def filter_status(request: HttpRequest, item_id: str) -> HttpResponse:
    """Return (GET) or remove (DELETE) one status entry of the token owner's filters."""
    if request.method == "DELETE":
        return remove_filter_status(request, item_id)
    return show_filter_status(request, item_id)


@require_token("read:filters")
def show_filter_status(request: HttpRequest, item_id: str) -> JsonResponse:
    """Return one filter status entry."""
    return JsonResponse(filter_status_entity(access_filter_status_by_id(required_actor(request), item_id)))


@require_token("write:filters")
def remove_filter_status(request: HttpRequest, item_id: str) -> JsonResponse:
    """Remove a status from a filter; answer an empty object."""
    do_remove_filter_status(access_filter_status_by_id(required_actor(request), item_id))
    return JsonResponse({})


@api_view("GET")
@require_token("read:filters")
def v1_filters(request: HttpRequest) -> JsonResponse:
    """Return the v1 view of the token owner's unexpired filters: one entry per keyword."""
    owner = required_actor(request)
    keywords = (
        FilterKeyword.objects.filter(filter__account=owner)
        .filter(Q(filter__expires_at__isnull=True) | Q(filter__expires_at__gt=timezone.now()))
        .select_related("filter")
        .order_by("pk")
    )
    return JsonResponse([v1_filter_entity(item) for item in keywords], safe=False)


@api_view("GET")
@require_token("read:filters")
def v1_filter(request: HttpRequest, keyword_id: str) -> JsonResponse:
    """Return one keyword in the v1 Filter shape."""
    item = access_filter_keyword_by_id(required_actor(request), keyword_id)
    return JsonResponse(v1_filter_entity(item))
