"""Register client apps: the one way an OAuth application comes into being (`POST /api/v1/apps` calls it)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from config.api.scopes import is_known_scope
from members.errors import MemberRefused
from members.models import AppRegistration

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
MAX_APP_NAME_LENGTH = 60
MAX_REDIRECT_URIS = 20
# Schemes that would run code in the browser instead of handing a code to an app.
FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})


@dataclass(frozen=True)
class ApplicationRequest:
    """An app registration that passed its checks."""

    name: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    website: str


@dataclass(frozen=True)
class RegisteredApplication:
    """A new app and its client secret, which is stored hashed and shown only once."""

    application: Application
    client_secret: str
    scopes: tuple[str, ...]
    website: str


def _check_redirect_uri(uri: str) -> None:
    if uri == OUT_OF_BAND:
        return
    parts = urlsplit(uri)
    if not parts.scheme or not (parts.netloc or parts.path):
        raise MemberRefused(f"Redirect URI {uri!r} must be an absolute URI.")
    if parts.scheme.lower() in FORBIDDEN_SCHEMES:
        raise MemberRefused(f"Redirect URI {uri!r} uses a scheme that is not allowed.")
    if "#" in uri:
        raise MemberRefused(f"Redirect URI {uri!r} must not contain a fragment.")
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        raise MemberRefused(f"Redirect URI {uri!r} must name a host.")


def check_register_application(
    name: str, redirect_uris: list[str], *, scopes: list[str], website: str = ""
) -> ApplicationRequest:
    """Validate a client app's registration; raise MemberRefused with the reason."""
    name = name.strip()
    if not name:
        raise MemberRefused("client_name can't be blank")
    if len(name) > MAX_APP_NAME_LENGTH:
        raise MemberRefused(f"client_name is too long (at most {MAX_APP_NAME_LENGTH} characters)")
    uris = [uri for raw in redirect_uris for uri in raw.split()]
    if not uris:
        raise MemberRefused("redirect_uris can't be blank")
    if len(uris) > MAX_REDIRECT_URIS:
        raise MemberRefused(f"Too many redirect URIs (at most {MAX_REDIRECT_URIS})")
    for uri in uris:
        _check_redirect_uri(uri)
    wanted = [scope for raw in scopes for scope in raw.split()] or ["read"]
    unknown = [scope for scope in wanted if not is_known_scope(scope)]
    if unknown:
        raise MemberRefused(f"Unknown scope(s): {', '.join(unknown)}")
    website = website.strip()
    if website and urlsplit(website).scheme not in ("http", "https"):
        raise MemberRefused("website must be an http or https URL")
    return ApplicationRequest(
        name=name,
        redirect_uris=tuple(dict.fromkeys(uris)),
        scopes=tuple(dict.fromkeys(wanted)),
        website=website,
    )


def do_register_application(request: ApplicationRequest) -> RegisteredApplication:
    """Create the OAuth application and return it with its one-time client secret."""
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application.objects.create(
            name=request.name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(request.redirect_uris),
            client_secret=secret,
            skip_authorization=False,
        )
        AppRegistration.objects.create(
            application=application, scopes=" ".join(request.scopes), website=request.website
        )
    return RegisteredApplication(
        application=application, client_secret=secret, scopes=request.scopes, website=request.website
    )
