"""A member hiding a whole domain from themselves, apart from the co-op's own domain policies."""

from __future__ import annotations

from django.conf import settings

from federation.domains import DomainNameRefused, check_domain_name
from federation.models import Actor
from timeline.errors import RequestRefused
from timeline.models import AccountDomainBlock


def check_block_domain(actor: Actor, domain: str) -> str:
    """Return the normalised domain to hide, refusing a malformed one or this server's own.

    The port is kept: a member may hide one server of a host that runs several.
    """
    normalised = check_domain_name(domain, keep_port=True)
    if normalised == settings.MUTUALS_DOMAIN.lower():
        raise RequestRefused("You cannot hide your own server.")
    return normalised


def do_block_domain(actor: Actor, domain: str) -> AccountDomainBlock:
    """Hide a domain's accounts from the actor's timelines and notifications."""
    block, _ = AccountDomainBlock.objects.get_or_create(account=actor, domain=check_block_domain(actor, domain))
    return block


def do_unblock_domain(actor: Actor, domain: str) -> None:
    """Show a hidden domain again."""
    try:
        normalised = check_domain_name(domain, keep_port=True)
    except DomainNameRefused:
        # Only domain names were ever hidden, so there is nothing to show again.
        return
    AccountDomainBlock.objects.filter(account=actor, domain=normalised).delete()
