"""What the timeline tells federation about signed fetches: whether an author blocks the fetcher."""

from __future__ import annotations

from federation.models import Actor
from federation.selectors import domain_candidates
from timeline.models import AccountDomainBlock, Block


def author_refuses_fetcher(author: Actor, fetcher: Actor) -> bool:
    """Return whether the author blocks the fetcher, or a domain (or parent domain) the fetcher is on."""
    if Block.objects.filter(account=author, target=fetcher).exists():
        return True
    if not fetcher.domain:
        return False
    return AccountDomainBlock.objects.filter(account=author, domain__in=domain_candidates(fetcher.domain)).exists()
