"""The client API's timelines: home, public (local, remote, media) and hashtag.

The home timeline reads the entries fan-out wrote; the public and hashtag
timelines read public statuses directly, hiding accounts the viewer blocks
or is blocked by, accounts the co-op limited or suspended and servers it
suspended.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from federation.models import Actor
from timeline.entities.statuses import status_entities, statuses_with_authors, with_authors
from timeline.filtering import without_hidden
from timeline.models import Status
from timeline.selectors import home_entries_for, public_statuses_for, without_muted_statuses


def _public_statuses(viewer: Actor | None, params: ApiParams) -> QuerySet[Status]:
    return public_statuses_for(
        viewer,
        local=params.get_bool("local"),
        remote=params.get_bool("remote"),
        only_media=params.get_bool("only_media"),
    )


def _page(request: HttpRequest, statuses: QuerySet[Status], viewer: Actor | None) -> JsonResponse:
    statuses = without_muted_statuses(statuses, viewer)
    page = paginate(with_authors(statuses), PageRequest.from_request(request))
    body = without_hidden(status_entities(page, viewer, context="public"))
    return paginated_response(request, body, [status.pk for status in page])


@api_view("GET")
@require_token("read:statuses")
def home(request: HttpRequest) -> JsonResponse:
    """Return the token owner's home timeline, newest first."""
    viewer = required_actor(request)
    page_request = PageRequest.from_request(request)
    entries = paginate(home_entries_for(viewer), page_request, field="status_id")
    ids = [entry.status_id for entry in entries]
    loaded = {status.pk: status for status in statuses_with_authors(ids)}
    statuses = [loaded[status_id] for status_id in ids if status_id in loaded]
    return paginated_response(request, without_hidden(status_entities(statuses, viewer, context="home")), ids)


@api_view("GET")
@optional_token("read:statuses")
def public(request: HttpRequest) -> JsonResponse:
    """Return public statuses from everyone known here (`local=true`: members only; `remote=true`: others)."""
    viewer = token_actor(request)
    return _page(request, _public_statuses(viewer, ApiParams.from_request(request)), viewer)


@api_view("GET")
@optional_token("read:statuses")
def hashtag(request: HttpRequest, hashtag: str) -> JsonResponse:
    """Return public statuses with the hashtag (and with `any[]`, `all[]`, without `none[]`)."""
    viewer = token_actor(request)
    params = ApiParams.from_request(request)
    statuses = _public_statuses(viewer, params)
    wanted = [hashtag.lower().lstrip("#"), *(name.lower().lstrip("#") for name in params.get_list("any"))]
    statuses = statuses.filter(tags__name__in=wanted)
    for name in params.get_list("all"):
        statuses = statuses.filter(pk__in=Status.objects.filter(tags__name=name.lower().lstrip("#")).values("pk"))
    excluded = [name.lower().lstrip("#") for name in params.get_list("none")]
    if excluded:
        statuses = statuses.exclude(tags__name__in=excluded)
    return _page(request, statuses.distinct(), viewer)
