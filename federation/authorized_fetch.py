"""Signed GETs: who is fetching, and secure mode's refusal of anonymous fetches."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from federation.actions.remote_actors import actor_for_key_id
from federation.activitypub.base import host_of
from federation.errors import ActivityRefused, RemoteActorUnavailable
from federation.models import Actor
from federation.selectors import is_actor_suspended, is_domain_suspended
from federation.signatures import SignatureError, parse_signature_header, verify_request


def signed_fetcher(request: HttpRequest) -> Actor | None:
    """Return the actor that signed a GET, None if unsigned; refuse a bad signature, a suspended domain or account."""
    header = request.headers.get("Signature")
    if not header:
        return None
    try:
        params = parse_signature_header(header)
        if is_domain_suspended(host_of(params.key_id)):
            raise ActivityRefused("This server does not serve your domain.", 403)
        signer = actor_for_key_id(params.key_id)
        verify_request(
            params,
            method=request.method or "GET",
            path=request.get_full_path(),
            headers=request.headers,
            body=None,
            public_key_pem=signer.public_key_pem,
        )
    except SignatureError as exc:
        raise ActivityRefused(str(exc), 401) from exc
    except RemoteActorUnavailable as exc:
        raise ActivityRefused(f"The signing actor cannot be fetched: {exc}", 401) from exc
    # The signer's own domain too: its key may be served from another host than the one it lives on.
    if signer.domain and is_domain_suspended(signer.domain):
        raise ActivityRefused("This server does not serve your domain.", 403)
    if is_actor_suspended(signer.uri):
        raise ActivityRefused("This server does not serve your account.", 403)
    return signer


def check_fetch_allowed(request: HttpRequest) -> Actor | None:
    """Return the fetching actor; in secure mode refuse unsigned fetches of member content."""
    fetcher = signed_fetcher(request)
    if fetcher is None and settings.MUTUALS_AUTHORIZED_FETCH:
        raise ActivityRefused("This server requires signed fetches (secure mode).", 401)
    return fetcher
