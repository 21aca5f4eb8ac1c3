"""Issue OAuth access tokens for scripted clients."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.settings import oauth2_settings

from config.api.scopes import is_known_scope
from members.errors import MemberRefused
from members.models import User

OPERATOR_APPLICATION_NAME = "Mutuals operator tokens"
OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"


def check_mint_token(user: User, scopes: list[str]) -> list[str]:
    """Validate the scopes of a token to mint for an active user."""
    if not user.is_active:
        raise MemberRefused(f"User {user.username!r} is not active.")
    unknown = [scope for scope in scopes if not is_known_scope(scope)]
    if unknown:
        raise MemberRefused(f"Unknown scope(s): {', '.join(unknown)}.")
    if not scopes:
        raise MemberRefused("At least one scope is needed.")
    return scopes


def do_mint_token(user: User, scopes: list[str], *, valid_for: timedelta) -> AccessToken:
    """Create an access token for the user under the operator application."""
    with transaction.atomic():
        application, _ = Application.objects.get_or_create(
            name=OPERATOR_APPLICATION_NAME,
            defaults={
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": OUT_OF_BAND,
                "skip_authorization": False,
            },
        )
        return AccessToken.objects.create(
            user=user,
            application=application,
            token=secrets.token_urlsafe(32),
            expires=timezone.now() + valid_for,
            scope=" ".join(scopes),
        )


def do_issue_app_token(user: User, application: Application, scope: str) -> AccessToken:
    """Create an access token for the user under an app, with the scopes its own token held.

    A sign-up from an app answers with such a token, as Mastodon's does,
    so the app can go on as the new person without a second sign-in.
    """
    return AccessToken.objects.create(
        user=user,
        application=application,
        token=secrets.token_urlsafe(32),
        expires=timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
        scope=scope,
    )
