"""Who may fetch a local actor's documents: secure mode, suspensions and the author's blocks.

Mastodon serves a status to a signed fetcher only if its author has not
blocked the fetcher or the fetcher's domain, and refuses outright any actor
on a suspended domain; a remote account this server suspended is refused
too. Those two refusals hold for every signed fetch
(`federation.authorized_fetch.signed_fetcher`); this module adds the
author's blocks, which the timeline app owns and tells this module how to
read (`register_author_refusal`). A silenced ("limited") domain is not refused: as on
Mastodon, silence governs what members here see of that domain, not what
its actors may read, so its fetches get what the status's visibility and
their follows allow.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from federation.authorized_fetch import check_fetch_allowed
from federation.errors import ActivityRefused
from federation.models import Actor

# Whether an author refuses a fetcher (blocks it or its domain); read from the app that keeps blocks.
_author_refusals: list[Callable[[Actor, Actor], bool]] = []


def register_author_refusal(refuses: Callable[[Actor, Actor], bool]) -> None:
    """Name the function that tells whether an author blocks a fetcher, or a domain the fetcher is on.

    Blocks are the timeline's rows; it registers this when it loads, so
    this floor imports no app.
    """
    _author_refusals[:] = [refuses]


def author_refuses(author: Actor, fetcher: Actor) -> bool:
    """Return whether the author blocks the fetcher, or a domain (or parent domain) the fetcher is on."""
    return any(refuses(author, fetcher) for refuses in _author_refusals)


def check_fetch_of(request: HttpRequest, author: Actor, *, refused_status: int) -> Actor | None:
    """Return the signed fetcher (None if unsigned and allowed); raise ActivityRefused to refuse.

    `refused_status` is what a fetcher the author blocks gets: 404 for a
    status (as if it did not exist), 403 for a collection.
    """
    fetcher = check_fetch_allowed(request)
    if fetcher is None:
        return None
    if author_refuses(author, fetcher):
        raise ActivityRefused("Record not found" if refused_status == 404 else "Not served to you.", refused_status)
    return fetcher
