"""The timeline's ActivityPub documents: local statuses at their ids, and the paged collections of local actors.

Outbox, followers, following, featured and featured hashtags; the instance actor's followers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_GET

from federation.access import access_local_actor_by_username
from federation.actions.instance_actor import instance_actor
from federation.activitypub import Hashtag
from federation.activitypub.context import CONTEXT
from federation.errors import ActivityRefused
from federation.models import Actor
from federation.negotiation import activity_response, gone_document, wants_activity_json
from federation.selectors import erased_local_actor
from federation.uris import featured_tags_uri, status_uri, status_url
from federation.views.fetch_guard import check_fetch_of
from timeline.access import access_local_status_by_author
from timeline.activitypub.renderers import announce_for_reblog, create_for_status, note_for_status
from timeline.entities.tags import tag_url
from timeline.models import Follow, Status, Visibility
from timeline.selectors import featured_tags_of

PAGE_SIZE = 20


def _collection(collection_id: str, total: int) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": f"{collection_id}?page=1",
    }


def _page(collection_id: str, items: list[Any], page: int, has_more: bool) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{collection_id}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "orderedItems": items,
    }
    if page > 1:
        document["prev"] = f"{collection_id}?page={page - 1}"
    if has_more:
        document["next"] = f"{collection_id}?page={page + 1}"
    return document


def _page_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("page")
    if raw is None:
        return None
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


def _guarded(request: HttpRequest, username: str) -> Actor | HttpResponse:
    actor = access_local_actor_by_username(username)
    try:
        # A fetcher the actor blocks gets none of its collections, as on Mastodon.
        check_fetch_of(request, actor, refused_status=403)
    except ActivityRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    return actor


@require_GET
def outbox(request: HttpRequest, username: str) -> HttpResponse:
    """Serve the actor's public and unlisted posts and boosts, newest first, as Create and Announce."""
    actor = _guarded(request, username)
    if isinstance(actor, HttpResponse):
        return actor
    statuses = Status.objects.filter(account=actor, visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED])
    page = _page_number(request)
    if page is None:
        return activity_response(_collection(actor.outbox_uri, statuses.count()))
    rows = list(
        statuses.select_related("account", "reblog_of__account", "in_reply_to").order_by("-id")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1
        ]
    )
    items = [announce_for_reblog(s) if s.reblog_of_id else create_for_status(s) for s in rows[:PAGE_SIZE]]
    for item in items:
        item.pop("@context", None)
    return activity_response(_page(actor.outbox_uri, items, page, len(rows) > PAGE_SIZE))


def _actor_list(request: HttpRequest, username: str, *, followers: bool) -> HttpResponse:
    actor = _guarded(request, username)
    if isinstance(actor, HttpResponse):
        return actor
    return _actor_list_of(request, actor, followers=followers)


def _actor_list_of(request: HttpRequest, actor: Actor, *, followers: bool) -> HttpResponse:
    collection_id = actor.followers_uri if followers else actor.following_uri
    follows = Follow.objects.filter(state=Follow.State.ACCEPTED)
    follows = follows.filter(target=actor) if followers else follows.filter(follower=actor)
    page = _page_number(request)
    if page is None:
        return activity_response(_collection(collection_id, follows.count()))
    field = "follower__uri" if followers else "target__uri"
    uris = list(follows.order_by("-id").values_list(field, flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return activity_response(_page(collection_id, uris[:PAGE_SIZE], page, len(uris) > PAGE_SIZE))


@require_GET
def followers(request: HttpRequest, username: str) -> HttpResponse:
    """Serve the ids of the actor's accepted followers."""
    return _actor_list(request, username, followers=True)


@require_GET
def instance_followers(request: HttpRequest) -> HttpResponse:
    """Serve the ids of the peers that follow the instance actor, that is, the transparency log."""
    actor = instance_actor()
    try:
        check_fetch_of(request, actor, refused_status=403)
    except ActivityRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    return _actor_list_of(request, actor, followers=True)


@require_GET
def following(request: HttpRequest, username: str) -> HttpResponse:
    """Serve the ids of the actors the actor follows."""
    return _actor_list(request, username, followers=False)


@require_GET
def featured(request: HttpRequest, username: str) -> HttpResponse:
    """Serve the actor's pinned public statuses, inline, as Mastodon does."""
    actor = _guarded(request, username)
    if isinstance(actor, HttpResponse):
        return actor
    pinned = Status.objects.filter(
        account=actor, pinned_at__isnull=False, visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED]
    ).order_by("-pinned_at")[:20]
    items = [note_for_status(status).to_json(with_context=False) for status in pinned]
    document = _collection(actor.featured_uri, len(items))
    del document["first"]
    document["orderedItems"] = items
    return activity_response(document)


@require_GET
def featured_tags(request: HttpRequest, username: str) -> HttpResponse:
    """Serve the hashtags the actor features on its profile, inline, as Mastodon does."""
    actor = _guarded(request, username)
    if isinstance(actor, HttpResponse):
        return actor
    tags = [item.tag for item in featured_tags_of(actor)]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": featured_tags_uri(actor.username),
        "type": "Collection",
        "totalItems": len(tags),
        "items": [Hashtag(name=f"#{tag.name}", href=tag_url(tag.name)).to_json() for tag in tags],
    }
    return activity_response(document)


@require_GET
def status_document(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    """Serve a local status as a Note to whoever may see it; send browsers to the status page.

    A status of an erased account answers 410 Gone, with a Tombstone for peers.
    A fetcher the author blocks gets 404, one suspended here 403.
    """
    erased = erased_local_actor(username)
    if erased is not None and erased.deleted_at is not None:
        if not wants_activity_json(request):
            return HttpResponseRedirect(status_url(erased.username, status_id))
        return gone_document(status_uri(erased.username, status_id), "Note", erased.deleted_at)
    if not wants_activity_json(request):
        status = access_local_status_by_author(None, username, status_id)
        return HttpResponseRedirect(status.url)
    author = access_local_actor_by_username(username)
    try:
        fetcher = check_fetch_of(request, author, refused_status=404)
    except ActivityRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    status = access_local_status_by_author(fetcher, username, status_id)
    return activity_response(note_for_status(status).to_json())
