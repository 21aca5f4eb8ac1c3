"""Page lists the way Mastodon does: by id, with max_id, since_id, min_id and limit, and a Link header.

`max_id` pages backwards (older), `since_id` bounds from below while still
returning the newest items, and `min_id` pages forwards (the items just
newer than it, oldest first, then returned newest first). The Link header
names `next` before `prev`: some command-line clients look only at the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse

from config.api.errors import ApiError

ModelT = TypeVar("ModelT", bound=Model)
PAGE_KEYS = frozenset({"max_id", "since_id", "min_id"})


def _id_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(f"{name} must be an id", 422) from None


@dataclass(frozen=True)
class PageRequest:
    """The bounds and size of the page a client asked for."""

    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = 20

    @classmethod
    def from_request(cls, request: HttpRequest, *, default: int = 20, maximum: int = 40) -> PageRequest:
        """Read the page bounds from the query string; `limit` is clamped to 1..maximum."""
        raw_limit = request.GET.get("limit", "").strip()
        try:
            limit = int(raw_limit) if raw_limit else default
        except ValueError:
            raise ApiError("limit must be an integer", 422) from None
        return cls(
            max_id=_id_param(request, "max_id"),
            since_id=_id_param(request, "since_id"),
            min_id=_id_param(request, "min_id"),
            limit=max(1, min(limit, maximum)),
        )


def paginate(queryset: QuerySet[ModelT], page: PageRequest, *, field: str = "id") -> list[ModelT]:
    """Return the page of `queryset` ordered by `field`, newest (highest) first."""
    if page.max_id is not None:
        queryset = queryset.filter(**{f"{field}__lt": page.max_id})
    if page.since_id is not None:
        queryset = queryset.filter(**{f"{field}__gt": page.since_id})
    if page.min_id is not None:
        queryset = queryset.filter(**{f"{field}__gt": page.min_id})
        return list(reversed(queryset.order_by(field)[: page.limit]))
    return list(queryset.order_by(f"-{field}")[: page.limit])


def link_header(request: HttpRequest, page_ids: Sequence[int]) -> str | None:
    """Return the Link header for a page whose items have these ids (newest first), or None if empty."""
    if not page_ids:
        return None
    kept = [(key, value) for key, value in request.GET.lists() if key not in PAGE_KEYS]
    base = request.build_absolute_uri(request.path)

    def url(bound: str, value: int) -> str:
        query = [(key, item) for key, items in kept for item in items] + [(bound, str(value))]
        return f"{base}?{urlencode(query)}"

    return f'<{url("max_id", page_ids[-1])}>; rel="next", <{url("min_id", page_ids[0])}>; rel="prev"'


def paginated_response(request: HttpRequest, body: list[Any], page_ids: Sequence[int]) -> JsonResponse:
    """Return a JSON list with the Link header for the page's ids."""
    response = JsonResponse(body, safe=False)
    link = link_header(request, page_ids)
    if link is not None:
        response["Link"] = link
    return response


@dataclass(frozen=True)
class OffsetPageRequest:
    """The offset and size of the page a client asked for, where Mastodon pages by rank (trends, directory)."""

    offset: int = 0
    limit: int = 20

    @classmethod
    def from_request(cls, request: HttpRequest, *, default: int = 20, maximum: int = 40) -> OffsetPageRequest:
        """Read `offset` and `limit` from the query string; `limit` is clamped to 1..maximum, `offset` to 0 and up."""
        values = {}
        for name, fallback in (("offset", 0), ("limit", default)):
            raw = request.GET.get(name, "").strip()
            try:
                values[name] = int(raw) if raw else fallback
            except ValueError:
                raise ApiError(f"{name} must be an integer", 422) from None
        return cls(offset=max(0, values["offset"]), limit=max(1, min(values["limit"], maximum)))


def offset_response(request: HttpRequest, body: list[Any], page: OffsetPageRequest) -> JsonResponse:
    """Return a JSON list with a Link header to the next page by offset (and the previous one after the first)."""
    response = JsonResponse(body, safe=False)
    kept = [(key, item) for key, items in request.GET.lists() if key != "offset" for item in items]
    base = request.build_absolute_uri(request.path)
    links = []
    if len(body) >= page.limit:
        links.append(f'<{base}?{urlencode([*kept, ("offset", str(page.offset + page.limit))])}>; rel="next"')
    if page.offset > 0:
        links.append(f'<{base}?{urlencode([*kept, ("offset", str(max(0, page.offset - page.limit)))])}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response
