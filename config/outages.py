"""Answer 503 while PostgreSQL, Redis or the broker cannot be reached, instead of 500.

A request that meets a lost database or Redis connection is answered with
a clear error and Retry-After, so that clients and people try again once
the service is back, rather than report a server bug. Programs (every path
`wants_json_error` names: the client API, OAuth, discovery, ActivityPub) get
Mastodon's {"error": "..."} body; people get a self-contained page in their
language.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext_lazy
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerError

from config.api.errors import api_error, wants_json_error

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait: a restarted PostgreSQL or Redis is back in a few.
RETRY_AFTER_SECONDS = 5


# The errors that say a service is out of reach, and which service each names.
_SERVICE_ERRORS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((OperationalError, InterfaceError), "database"),
    ((redis.ConnectionError, redis.TimeoutError), "Redis"),
    ((BrokerError,), "broker"),
)
OUTAGE_ERRORS = tuple(kind for kinds, _ in _SERVICE_ERRORS for kind in kinds)


def unavailable_service(exc: BaseException) -> str | None:
    """Return which service the error says is out of reach ("database", "Redis", "broker"), or None."""
    for kinds, service in _SERVICE_ERRORS:
        if isinstance(exc, kinds):
            return service
    return None


# What people are told each service is; programs get the names above, in English, as Mastodon's errors are.
_SERVICE_NAMES = {
    "database": gettext_lazy("The server's database is unavailable at the moment."),
    "Redis": gettext_lazy("The server's cache and message relay (Redis) is unavailable at the moment."),
    "broker": gettext_lazy("The server's task queue is unavailable at the moment."),
}


def outage_response(request: HttpRequest, service: str) -> HttpResponse:
    """Return the 503 answer for a request that met an unreachable service: JSON to programs, a page to people.

    The page is rendered without the request, so no context processor reads
    the service that is down.
    """
    response: HttpResponse
    if wants_json_error(request):
        message = f"The server's {service} is unavailable at the moment; please try again in a few seconds."
        response = api_error(message, 503)
    else:
        page = loader.render_to_string("503.html", {"message": str(_SERVICE_NAMES[service])})
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceOutageMiddleware:
    """Turn a view's lost-connection error into a 503 answer, with one log line instead of a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer 503 for an unreachable service; leave every other error to Django."""
        service = unavailable_service(exception)
        if service is None:
            return None
        logger.warning("%s unavailable, answered 503 to %s %s: %s", service, request.method, request.path, exception)
        return outage_response(request, service)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an error that escaped every view and middleware: 503 for an unreachable service, else 500.

    The middleware above sees only what views raise; an error raised by
    another middleware (a session saved while the database is down) reaches
    Django's handler500, which this is. A 500 is JSON for programs and the
    self-contained `500.html` for people.
    """
    exception = sys.exc_info()[1]
    service = unavailable_service(exception) if exception is not None else None
    if service is not None:
        return outage_response(request, service)
    if wants_json_error(request):
        return api_error("Internal server error", 500)
    return defaults.server_error(request)
