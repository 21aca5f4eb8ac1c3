"""Find what a URL pasted into search names: a row known here, or the document its server serves."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from federation.actions.remote_actors import do_store_remote_actor, fetch_document
from federation.activitypub import MalformedDocument, Note, Person, host_of, parse
from federation.errors import RemoteActorUnavailable
from federation.models import Actor
from timeline.activitypub.statuses import store_fetched_status
from timeline.models import Status

URL_SCHEMES = ("https://", "http://")


def is_url(query: str) -> bool:
    """Return whether a search query is a URL rather than words or a handle."""
    return query.startswith(URL_SCHEMES)


def known_object_for_url(url: str) -> Actor | Status | None:
    """Return the status or account stored here whose id or page is this URL, without fetching anything."""
    status = Status.objects.filter(Q(uri=url) | Q(url=url)).order_by("id").first()
    if status is not None:
        return status
    return Actor.objects.filter(Q(uri=url) | Q(url=url)).order_by("id").first()


def do_resolve_url(url: str) -> Actor | Status | None:
    """Return the status or account a URL names, fetching and storing it from its server if unknown.

    A URL of this server is only looked up. Any other goes through the
    fetch every remote document takes (`fetch_document`: a signed GET,
    the destination checks, tombstones, suspended domains, and the
    document's id on the host that served it), so a profile or status page
    that serves its ActivityStreams document to `Accept:
    application/activity+json`, as Mastodon's do, resolves as its id does.
    Anything unreachable, unreadable or of another kind gives None.
    """
    known = known_object_for_url(url)
    if known is not None or host_of(url) == settings.MUTUALS_DOMAIN.lower():
        return known
    try:
        document = fetch_document(url)
        parsed = parse(document)
        if isinstance(parsed, Person):
            return do_store_remote_actor(parsed)
    except (RemoteActorUnavailable, MalformedDocument):
        return None
    if isinstance(parsed, Note):
        return store_fetched_status(document)
    return None
