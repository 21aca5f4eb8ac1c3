"""Bearer-token authentication and scope checks for the client API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider.oauth2_backends import get_oauthlib_core

from members.models import User
from members.scopes import scope_grants

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def api_error(message: str, status: int) -> JsonResponse:
    """Return an error in the shape Mastodon clients read: {"error": "..."}."""
    return JsonResponse({"error": message}, status=status)


def require_token(*scopes: str) -> Callable[[ViewFunc], ViewFunc]:
    """Require a valid bearer token holding one of the given scopes (or a broader one).

    The token's user is set on `request.user`; its application on
    `request.oauth_application`.
    """

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
            if not valid or oauth_request.user is None or not oauth_request.user.is_active:
                return api_error("The access token is invalid", 401)
            granted = set(oauth_request.access_token.scope.split())
            if scopes and not any(scope_grants(granted, scope) for scope in scopes):
                return api_error("This action is outside the authorized scopes", 403)
            request.user = oauth_request.user
            request.oauth_application = oauth_request.access_token.application  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorate


def token_user(request: HttpRequest) -> User:
    """Return the user of a request that passed `require_token`."""
    return cast(User, request.user)
