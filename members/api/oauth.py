"""OAuth endpoints Mastodon clients call directly: token, revoke and the server metadata.

The consent page at /oauth/authorize is a web page and lives with the
frontend; both go through the same django-oauth-toolkit server, configured by
`members.api.oauth_validator`.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_backends import OAuthLibCore

from config.api.errors import api_view
from config.api.params import MAX_JSON_BODY_BYTES
from config.api.scopes import SCOPES
from config.json_input import JsonInputError, parse_json
from federation.uris import base_url


class MastodonOAuthLibCore(OAuthLibCore):  # type: ignore[misc]
    """DOT's bridge to oauthlib, reading JSON bodies as well as forms (Mastodon accepts both)."""

    def extract_body(self, request: HttpRequest) -> list[tuple[str, str]]:
        """Return the body's parameters as key/value pairs, whatever its encoding."""
        if (request.content_type or "").endswith("json"):
            # Refused bodies read as empty: oauthlib then answers invalid_request, as for a missing grant.
            try:
                document = parse_json(request.body or b"{}", max_bytes=MAX_JSON_BODY_BYTES)
            except JsonInputError:
                return []
            if not isinstance(document, dict):
                return []
            pairs: list[tuple[str, str]] = []
            for key, value in document.items():
                if isinstance(value, list):
                    pairs.append((str(key), " ".join(str(item) for item in value)))
                elif value is not None:
                    pairs.append((str(key), str(value)))
            return pairs
        body: list[tuple[str, str]] = super().extract_body(request)
        return body

    def _get_extra_credentials(self, request: HttpRequest) -> dict[str, Any]:
        # Mastodon's token replies carry the creation time; some clients store it.
        return {"created_at": int(time.time())}


def oauth_core() -> MastodonOAuthLibCore:
    """Return the OAuth server bridge used by the token, revoke and authorize endpoints."""
    return MastodonOAuthLibCore()


def _oauth_response(headers: dict[str, str], body: str, status: int) -> HttpResponse:
    response = HttpResponse(body or "{}", status=status, content_type="application/json")
    for name, value in headers.items():
        if name.lower() != "content-type":
            response[name] = value
    return response


@csrf_exempt
@never_cache
@api_view("POST")
def token(request: HttpRequest) -> HttpResponse:
    """Exchange a code, client credentials, refresh token or password for an access token."""
    _, headers, body, status = oauth_core().create_token_response(request)
    return _oauth_response(headers, body, status)


@csrf_exempt
@never_cache
@api_view("POST")
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke an access or refresh token of the authenticated client; answer {} as Mastodon does."""
    _, headers, body, status = oauth_core().create_revocation_response(request)
    return _oauth_response(headers, body if status != 200 else "{}", status)


@api_view("GET")
def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    """Describe the OAuth server (RFC 8414), as Mastodon 4.3 does, so clients find its endpoints."""
    base = base_url()
    return JsonResponse(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": base + reverse("oauth_authorize"),
            "token_endpoint": base + reverse("members:oauth_token"),
            "revocation_endpoint": base + reverse("members:oauth_revoke"),
            "app_registration_endpoint": base + reverse("members:apps"),
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )
