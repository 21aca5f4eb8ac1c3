"""Show the web app in the language and time zone a signed-in member chose, whatever their browser asks for."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from config.outages import OUTAGE_ERRORS
from members.actions.preferences import interface_language_codes, time_zone_names

# Paths read by apps, servers and probes, not by people in a browser: the member's
# language must not cost them a session or user load (LocaleMiddleware's choice stands).
MACHINE_PATH_PREFIXES = (
    "/api/",
    "/.well-known/",
    "/oauth/token",
    "/oauth/revoke",
    "/inbox",
    "/actor",
    "/users/",
    "/nodeinfo/",
    "/healthz",
    "/metrics",
    "/static/",
    "/media/",
)


class InterfaceLanguageMiddleware:
    """Activate the signed-in member's interface language over the one LocaleMiddleware chose.

    It sits after AuthenticationMiddleware. A request without a session cookie
    is an anonymous visitor, an app or a server, so it is passed on without
    touching `request.user`: only a browser already signed in, on a web page
    that loads its user anyway, pays for the lookup. A blank setting (or a
    language no longer offered) leaves the browser's choice. LocaleMiddleware,
    before this one, then reports the language in `Content-Language`.

    The member's time zone is activated the same way, for this request only:
    forms then read a typed date and time in it and templates show times in
    it. A blank setting (or a zone the database no longer holds) leaves UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or request.path.startswith(MACHINE_PATH_PREFIXES):
            return self.get_response(request)
        try:
            user = getattr(request, "user", None)
            member = user if user is not None and user.is_authenticated else None
            language = getattr(member, "interface_language", "")
            zone = getattr(member, "time_zone", "")
        except OUTAGE_ERRORS:
            # The database or cache is out of reach: the view meets the same error and
            # ServiceOutageMiddleware answers it with a 503, which this middleware cannot do.
            language = zone = ""
        if language and language in interface_language_codes():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if not (zone and zone in time_zone_names()):
            return self.get_response(request)
        timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            # The thread serves other members next: none of them may inherit this zone.
            timezone.deactivate()
