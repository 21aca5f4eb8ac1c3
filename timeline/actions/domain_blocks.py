"""A member hiding a whole domain from themselves, apart from the co-op's own domain policies."""

from __future__ import annotations

import re

from django.conf import settings

from federation.models import Actor
from timeline.errors import RequestRefused
from timeline.models import AccountDomainBlock

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d+)?$")


def check_block_domain(actor: Actor, domain: str) -> str:
    """Return the normalised domain to hide, refusing a malformed one or this server's own."""
    normalised = domain.strip().lower().rstrip(".")
    if normalised.startswith(("http://", "https://")):
        normalised = normalised.split("://", 1)[1].split("/", 1)[0]
    if not normalised or not _DOMAIN.match(normalised):
        raise RequestRefused("Domain is not a valid domain name.")
    if normalised == settings.MUTUALS_DOMAIN.lower():
        raise RequestRefused("You cannot hide your own server.")
    return normalised


def do_block_domain(actor: Actor, domain: str) -> AccountDomainBlock:
    """Hide a domain's accounts from the actor's timelines and notifications."""
    block, _ = AccountDomainBlock.objects.get_or_create(account=actor, domain=check_block_domain(actor, domain))
    return block


def do_unblock_domain(actor: Actor, domain: str) -> None:
    """Show a hidden domain again."""
    AccountDomainBlock.objects.filter(account=actor, domain=domain.strip().lower().rstrip(".")).delete()
