"""Errors in the shape Mastodon clients read: {"error": "..."} with Mastodon's status codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from config.refusals import Refused
from federation.negotiation import wants_activity_json

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


class ApiError(Exception):
    """A refusal to report to the client; `status` is the HTTP status Mastodon uses for it."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def api_error(message: str, status: int) -> JsonResponse:
    """Return an error response: {"error": message} with the given status."""
    return JsonResponse({"error": message}, status=status)


def api_view(*methods: str) -> Callable[[ViewFunc], ViewFunc]:
    """Accept only the given HTTP methods and turn ApiError, Refused and Http404 into Mastodon's error bodies.

    A missing or invisible record answers 404 {"error": "Record not found"},
    whatever the underlying reason, so that private objects cannot be probed.
    """
    allowed = {method.upper() for method in methods}

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = api_error("Method not allowed", 405)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return api_error(exc.message, exc.status)
            except Refused as exc:
                # Every app's refusals share this base, so each is mapped here once.
                return api_error(exc.message, exc.status)
            except Http404:
                return api_error("Record not found", 404)

        return cast(ViewFunc, wrapped)

    return decorate


API_PATH_PREFIX = "/api/"
# Paths only programs read: the client API, OAuth's token endpoints, discovery (WebFinger, host-meta, NodeInfo).
JSON_PATH_PREFIXES = (API_PATH_PREFIX, "/oauth/", "/.well-known/", "/nodeinfo/")
# Inboxes are posted to by peers, with an ActivityStreams body rather than an Accept header.
_ACTIVITY_CONTENT_TYPES = ("application/activity+json", "application/ld+json")


def wants_json_error(request: HttpRequest) -> bool:
    """Return whether an error should be answered as {"error": ...} rather than a web page.

    Programs read these answers: Mastodon's clients every /api/ path,
    peers the discovery documents and any ActivityStreams fetch or post.
    """
    return (
        request.path.startswith(JSON_PATH_PREFIXES)
        or wants_activity_json(request)
        or request.content_type in _ACTIVITY_CONTENT_TYPES
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer a path no route serves: Mastodon's JSON 404 to programs, the site's page to people.

    Mastodon's clients read every /api/ answer as JSON, an unknown endpoint
    included (an older server lacking a newer endpoint), so that path never
    gets an HTML page. Wrong methods on known /api/ routes are answered by
    `api_view` itself.
    """
    if wants_json_error(request):
        return api_error("Record not found", 404)
    return defaults.page_not_found(request, exception or Http404())


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer a refusal no view answered itself: JSON to programs, the site's 403 page to people."""
    if wants_json_error(request):
        return api_error("This action is not allowed", 403)
    return defaults.permission_denied(request, exception or PermissionDenied())
