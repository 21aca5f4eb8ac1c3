"""Security-checked reads of actors."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from federation.models import Actor
from federation.selectors import is_domain_suspended


class ActorNotFound(Http404):
    """No actor answers to that name here."""


def access_local_actor_by_username(username: str) -> Actor:
    """Return the local actor with that username (case-insensitive), or raise ActorNotFound."""
    actor = Actor.objects.filter(domain="", username__iexact=username, user__is_active=True).first()
    if actor is None:
        raise ActorNotFound("Account not found")
    return actor


class AccountNotFound(Http404):
    """No account with that id or handle is visible here."""


def visible_accounts() -> QuerySet[Actor]:
    """Return the accounts the client API shows: active local members and cached remote actors."""
    return Actor.objects.filter(Q(domain="", user__is_active=True) | ~Q(domain=""))


def access_account_by_id(account_id: str) -> Actor:
    """Return the account with that id, or raise AccountNotFound (unknown, inactive or suspended)."""
    if not account_id.isdigit():
        raise AccountNotFound("Record not found")
    actor = visible_accounts().filter(pk=int(account_id)).first()
    if actor is None or (actor.domain and is_domain_suspended(actor.domain)):
        raise AccountNotFound("Record not found")
    return actor


def access_account_by_acct(acct: str) -> Actor:
    """Return the account with handle `user` or `user@domain` (this server's domain meaning local)."""
    username, _, domain = acct.strip().lstrip("@").partition("@")
    domain = domain.lower()
    if domain == settings.MUTUALS_DOMAIN.lower():
        domain = ""
    actor = visible_accounts().filter(username__iexact=username, domain=domain).first()
    if not username or actor is None or (domain and is_domain_suspended(domain)):
        raise AccountNotFound("Record not found")
    return actor
