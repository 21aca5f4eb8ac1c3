"""Bearer-token authentication and scope checks for the client API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_backends import get_oauthlib_core

from config.api.errors import ApiError, api_error
from config.api.scopes import scope_grants
from config.replica import pin_if_recent_writer, primary_reads
from federation.models import Actor

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

__all__ = ["api_error", "optional_token", "require_token", "token_actor", "token_scopes"]


def _verified_token(request: HttpRequest) -> AccessToken | None:
    """Return the request's valid access token, or None if it carries none or a bad one.

    Read from the primary: a client uses a token the moment it is issued.
    """
    with primary_reads():
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        return None
    return cast(AccessToken, oauth_request.access_token)


def _attach(request: HttpRequest, access_token: AccessToken) -> None:
    if access_token.user is not None:
        request.user = access_token.user
        pin_if_recent_writer(access_token.user.pk)
    request.oauth_token = access_token  # type: ignore[attr-defined]
    request.oauth_application = access_token.application  # type: ignore[attr-defined]


def require_token(*scopes: str, allow_app_token: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """Require a valid bearer token holding one of the given scopes (or a broader one).

    Tokens from the client credentials grant belong to an app, not a person;
    they pass only where `allow_app_token` says so. The token's user is set
    on `request.user`; its application on `request.oauth_application`.
    """

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            access_token = _verified_token(request)
            if access_token is None:
                return api_error("The access token is invalid", 401)
            user = access_token.user
            if user is None and not allow_app_token:
                return api_error("This method requires an authenticated user", 422)
            if user is not None and not user.is_active:
                return api_error("Your login is currently disabled", 403)
            granted = set(access_token.scope.split())
            if scopes and not any(scope_grants(granted, scope) for scope in scopes):
                return api_error("This action is outside the authorized scopes", 403)
            _attach(request, access_token)
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorate


def optional_token(*scopes: str) -> Callable[[ViewFunc], ViewFunc]:
    """Let anonymous requests through; check a token only when one is presented.

    Public reads (an account, a public status) answer everyone, but a token
    that is presented must be valid and hold the scope, as in Mastodon.
    """

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if "HTTP_AUTHORIZATION" not in request.META and "access_token" not in request.GET:
                return view(request, *args, **kwargs)
            return require_token(*scopes, allow_app_token=True)(view)(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorate


def token_scopes(request: HttpRequest) -> set[str]:
    """Return the scopes of the token a request presented."""
    access_token: AccessToken | None = getattr(request, "oauth_token", None)
    return set(access_token.scope.split()) if access_token is not None else set()


def token_actor(request: HttpRequest) -> Actor | None:
    """Return the actor of the signed-in token owner, or None for anonymous and app-only requests."""
    access_token: AccessToken | None = getattr(request, "oauth_token", None)
    if access_token is None or access_token.user_id is None:
        return None
    # The token was loaded with its user and the user's actor (members/api/oauth_validator.py).
    try:
        return cast(Actor, access_token.user.actor)
    except Actor.DoesNotExist:
        return None


def required_actor(request: HttpRequest) -> Actor:
    """Return the token owner's actor, or refuse as Mastodon does when the user has no account."""
    actor = token_actor(request)
    if actor is None:
        raise ApiError("This method requires an authenticated user", 422)
    return actor
