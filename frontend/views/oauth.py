"""The OAuth consent page: a member lets a client app act on their account.

Clients send the member here (`GET /oauth/authorize`). The page names the
app and what it asks for; approving posts back to the same address, which
issues a single-use code and sends the member back to the app, or shows the
code on screen for `urn:ietf:wg:oauth:2.0:oob`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import Application

from config.api.scopes import SCOPES
from members.actions.app_registration import FORBIDDEN_SCHEMES, OUT_OF_BAND
from members.api.oauth import oauth_core

CREDENTIAL_KEYS = ("client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method")


class _AnySafeScheme:
    """Every scheme but those that run code: apps register their own (tusky://, ivory://)."""

    def __contains__(self, scheme: object) -> bool:
        return isinstance(scheme, str) and scheme.lower() not in FORBIDDEN_SCHEMES


class AppRedirect(HttpResponseRedirect):
    """A redirect to an app's registered redirect URI, whatever its scheme."""

    allowed_schemes = _AnySafeScheme()  # type: ignore[assignment]


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "frontend/oauth/error.html", {"message": message}, status=400)


def _error_message(error: OAuthToolkitError) -> str:
    oauthlib_error = error.oauthlib_error
    return str(oauthlib_error.description or oauthlib_error.error)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Show the consent page; on POST, issue a code (approve) or refuse (deny)."""
    core = oauth_core()
    try:
        scopes, credentials = core.validate_authorization_request(request)
    except OAuthToolkitError as error:
        # Unknown clients, unregistered redirect URIs and bad scopes are shown
        # here rather than sent anywhere: the redirect URI is not trusted yet.
        return _refuse(request, _error_message(error))
    if "code_challenge" in credentials and credentials.get("code_challenge_method") != "S256":
        return _refuse(request, "PKCE requires code_challenge_method=S256.")
    application = Application.objects.get(client_id=credentials["client_id"])
    if request.method == "GET":
        context: dict[str, Any] = {
            "application": application,
            "scopes": [(scope, SCOPES.get(scope, scope)) for scope in scopes],
            "redirect_uri": credentials["redirect_uri"],
        }
        return render(request, "frontend/oauth/authorize.html", context)
    return _decide(request, scopes, credentials, application)


def _decide(
    request: HttpRequest, scopes: list[str], credentials: dict[str, Any], application: Application
) -> HttpResponse:
    kept = {key: credentials[key] for key in CREDENTIAL_KEYS if credentials.get(key)}
    allow = request.POST.get("decision") == "allow"
    out_of_band = credentials["redirect_uri"] == OUT_OF_BAND
    try:
        uri, _, _, _ = oauth_core().create_authorization_response(request, scopes=scopes, credentials=kept, allow=allow)
    except OAuthToolkitError as error:
        if out_of_band:
            return render(request, "frontend/oauth/denied.html", {"application": application})
        # The redirect URI passed validation above, so the refusal may go there.
        return AppRedirect(error.oauthlib_error.in_uri(credentials["redirect_uri"]))
    if out_of_band:
        code = parse_qs(urlsplit(uri).query).get("code", [""])[0]
        return render(request, "frontend/oauth/code.html", {"application": application, "code": code})
    return AppRedirect(uri)
