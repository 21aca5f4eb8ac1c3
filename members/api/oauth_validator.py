"""Give django-oauth-toolkit Mastodon's OAuth semantics.

Every registered app may use the authorization code (with optional PKCE),
client credentials, refresh token and password grants, as in Mastodon.
Scopes are Mastodon's, the legacy `follow` included, and a token is never
wider than the scopes its app registered (`invalid_scope` otherwise, as
Mastodon answers). A redirect URI must be one of the app's registered URIs,
character for character.
"""

from __future__ import annotations

import hashlib
from typing import Any

from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator

from config.api.scopes import is_known_scope, scope_within
from members.selectors import registered_scopes

GRANT_TYPES = frozenset({"authorization_code", "client_credentials", "refresh_token", "password"})


class MastodonOAuth2Validator(OAuth2Validator):  # type: ignore[misc]
    """DOT's validator with Mastodon's grant types, scopes and redirect URI rules."""

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Allow every grant type Mastodon offers to every registered app."""
        return grant_type in GRANT_TYPES

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Allow only the authorization code response type (no implicit grant)."""
        return response_type == "code"

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Accept a non-empty list of scopes that Mastodon defines and the app registered for.

        Called for the authorization request (so no code is issued for more),
        and for the client credentials and password grants. A refreshed token
        keeps its first token's scopes, which were bounded here.
        """
        if not scopes or not all(is_known_scope(scope) for scope in scopes):
            return False
        registered = set(registered_scopes(client))
        return all(scope_within(registered, scope) for scope in scopes)

    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        """Accept only a redirect URI registered by the app, compared exactly."""
        return redirect_uri in request.client.redirect_uris.split()

    def validate_user(self, username: str, password: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        """Check the password grant's credentials, refusing accounts protected by a second factor.

        A password alone must not open an account whose member turned on
        two-factor authentication; Mastodon refuses this grant for them too.
        """
        if not super().validate_user(username, password, client, request, *args, **kwargs):
            return False
        from members.actions.security import has_two_factor  # noqa: PLC0415 (models load after the validator)

        return not has_two_factor(request.user)

    def _load_access_token(self, token: str) -> AccessToken | None:
        """Load the token as DOT does, with its user's actor: nearly every API request needs the actor next."""
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return (
            AccessToken.objects.select_related("application", "user", "user__actor")
            .filter(token_checksum=checksum)
            .first()
        )
