"""The client API's trends: hashtags, statuses and links that moderators allowed to trend, the highest score first."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from config.api.auth import optional_token, token_actor
from config.api.errors import api_view
from config.api.pagination import OffsetPageRequest, offset_response
from timeline.entities.statuses import status_entities
from timeline.entities.tags import tag_entities, trends_link_entities
from timeline.filtering import without_hidden
from timeline.selectors import trending_links, trending_statuses, trending_tags


@api_view("GET")
@optional_token("read")
def tags(request: HttpRequest) -> JsonResponse:
    """Return the trending hashtags (also at `/api/v1/trends`)."""
    page = OffsetPageRequest.from_request(request, default=10, maximum=20)
    trends = list(trending_tags()[page.offset : page.offset + page.limit])
    return offset_response(request, tag_entities([trend.tag for trend in trends], token_actor(request)), page)


@api_view("GET")
@optional_token("read")
def statuses(request: HttpRequest) -> JsonResponse:
    """Return the trending statuses."""
    viewer = token_actor(request)
    page = OffsetPageRequest.from_request(request, default=20, maximum=40)
    trends = list(trending_statuses(viewer)[page.offset : page.offset + page.limit])
    body = without_hidden(status_entities([trend.status for trend in trends], viewer, context="public"))
    return offset_response(request, body, page)


@api_view("GET")
@optional_token("read")
def links(request: HttpRequest) -> JsonResponse:
    """Return the trending links: preview cards with their history."""
    page = OffsetPageRequest.from_request(request, default=10, maximum=20)
    trends = list(trending_links()[page.offset : page.offset + page.limit])
    return offset_response(request, trends_link_entities([trend.card for trend in trends]), page)
