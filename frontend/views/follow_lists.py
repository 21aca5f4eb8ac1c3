"""An account's followers and the accounts it follows, as the client API lists them, paged with "Load more"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from federation.access import access_account_by_id
from federation.models import Actor
from frontend.list_rows import account_names
from frontend.viewer import viewer_actor
from frontend.views.social import PAGE_SIZE, account_card_context, requested_max_id
from timeline.models import Follow
from timeline.selectors import followers_of, following_of


@require_GET
def followers(request: HttpRequest, account_id: int) -> HttpResponse:
    """Show the accounts following an account, newest follow first, as `GET /api/v1/accounts/:id/followers`."""
    actor, viewer = access_account_by_id(str(account_id)), viewer_actor(request)
    return _follow_list(request, actor, viewer, followers_of(actor, viewer), listing="followers")


@require_GET
def following(request: HttpRequest, account_id: int) -> HttpResponse:
    """Show the accounts an account follows, newest follow first, as `GET /api/v1/accounts/:id/following`."""
    actor, viewer = access_account_by_id(str(account_id)), viewer_actor(request)
    return _follow_list(request, actor, viewer, following_of(actor, viewer), listing="following")


def _follow_list(
    request: HttpRequest, actor: Actor, viewer: Actor | None, follows: QuerySet[Follow], *, listing: str
) -> HttpResponse:
    side = "follower" if listing == "followers" else "target"
    # Paged by follow, as the client API pages these lists: `max_id` is the last follow shown.
    max_id = requested_max_id(request)
    if max_id is not None:
        follows = follows.filter(pk__lt=max_id)
    page = list(follows.select_related(side).order_by("-pk")[: PAGE_SIZE + 1])
    shown = page[:PAGE_SIZE]
    context = {
        "actor": actor,
        "listing": listing,
        "accounts": account_names([getattr(follow, side) for follow in shown]),
        "older_max_id": shown[-1].pk if len(page) > PAGE_SIZE else None,
        **account_card_context(viewer, actor),
    }
    return render(request, "frontend/follow_list.html", context)
