"""The social pages: local and federated timelines, threads, notifications, search, follows and interactions.

Every change goes through the same timeline actions as the client API; the
pages only parse forms and show what the selectors return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.web_refusals import refusal_as_message
from federation.access import access_account_by_id
from federation.models import Actor
from frontend.list_rows import AccountName, account_names
from frontend.notifications import notification_views
from frontend.posts import post_views
from frontend.viewer import viewer_actor
from members.api.accounts import search_accounts
from timeline.access import access_status_by_id
from timeline.actions.blocks import check_block, do_block, do_unblock
from timeline.actions.follows import (
    check_answer_follow_request,
    check_follow,
    do_accept_follow_request,
    do_follow,
    do_reject_follow_request,
    do_unfollow,
)
from timeline.actions.interactions import (
    check_favourite,
    check_reblog,
    do_favourite,
    do_reblog,
    do_unfavourite,
    do_unreblog,
)
from timeline.actions.markers import do_advance_marker
from timeline.entities.accounts import account_entity, avatar_url
from timeline.filtering import active_filters_for, filter_results_for_statuses, is_hidden
from timeline.models import Block, Filter, Follow, Marker, Mute, Status, Tag
from timeline.selectors import (
    notifications_for,
    public_statuses_for,
    statuses_for_profile,
    thread_for,
    without_muted_statuses,
)

PAGE_SIZE = 40
# How many rows a page reads at most, past posts the viewer's `hide` filters leave out, before it stops
# and offers "Load more": a run of hidden posts then costs a few reads, not an empty page.
MAX_ROWS_READ = 5 * PAGE_SIZE

# Read a timeline's statuses older than `max_id` (all when it is None), newest first, at most `limit` of them.
StatusReader = Callable[[int | None, int], list[Status]]


def page_context(
    statuses: list[Status],
    viewer: Actor | None,
    *,
    context: str | None,
    page_size: int = PAGE_SIZE,
    page_ids: Sequence[int] | None = None,
) -> dict[str, object]:
    """Return the posts to show (the viewer's filters for `context` applied) and the `max_id` of the next page.

    The next page starts below the last item loaded, even when a filter hid
    it. A page keyed on other rows than its statuses (bookmarks, favourites)
    passes their ids, in order, as `page_ids`.
    """
    ids = [status.pk for status in statuses] if page_ids is None else list(page_ids)
    return {
        "posts": post_views(statuses, viewer, context=context),
        "older_max_id": ids[-1] if len(ids) >= page_size else None,
    }


def filled_page_context(
    read: StatusReader, viewer: Actor | None, *, context: str, max_id: int | None
) -> dict[str, object]:
    """Return up to a page of posts the viewer's `hide` filters for `context` leave, and the `max_id` of the next page.

    When the filters hide some of what was read, further pages are read until
    the page is full, the timeline ends or `MAX_ROWS_READ` rows were read.
    The next page starts below the last row read, shown or hidden, so
    "Load more" neither repeats nor skips a post.
    """
    # Read once: the `hide` ones choose what the page keeps, and all of them mark what it shows.
    active = active_filters_for(viewer, context) if viewer is not None else []
    hiding = [rule for rule in active if rule.filter_action == Filter.Action.HIDE]
    kept: list[Status] = []
    cursor = max_id
    rows_read = 0
    more = True
    while more and len(kept) < PAGE_SIZE and rows_read < MAX_ROWS_READ:
        batch = read(cursor, PAGE_SIZE)
        rows_read += len(batch)
        more = len(batch) >= PAGE_SIZE
        results = filter_results_for_statuses(viewer, batch, context, filters=hiding) if hiding else {}
        for position, status in enumerate(batch):
            cursor = status.pk
            if not is_hidden(results.get(status.pk, [])):
                kept.append(status)
            if len(kept) == PAGE_SIZE:
                # Rows left unread in this batch are still to come.
                more = more or position < len(batch) - 1
                break
        if not hiding:
            break
    return {
        "posts": post_views(kept, viewer, context=context, filters=active),
        "older_max_id": cursor if more else None,
        # A short page with more to load stopped at the bound: the reader is told why it is short.
        "hidden_by_filters": more and len(kept) < PAGE_SIZE,
    }


def requested_max_id(request: HttpRequest) -> int | None:
    """Return the `?max_id=` a "Load more" link asked for; anything but a number shows the first page."""
    max_id = request.GET.get("max_id", "").strip()
    return int(max_id) if max_id.isdigit() else None


def _public_reader(viewer: Actor | None, *, local: bool, tag: str | None = None) -> StatusReader:
    statuses = without_muted_statuses(public_statuses_for(viewer, local=local), viewer)
    if tag is not None:
        statuses = statuses.filter(tags__name=tag.lower())
    statuses = statuses.select_related("account").order_by("-id")

    def read(max_id: int | None, limit: int) -> list[Status]:
        older = statuses if max_id is None else statuses.filter(pk__lt=max_id)
        return list(older[:limit])

    return read


@require_GET
def local_timeline(request: HttpRequest) -> HttpResponse:
    """Show the newest public posts by this co-op's members."""
    viewer = viewer_actor(request)
    read = _public_reader(viewer, local=True)
    context = {
        "title": _("Local timeline"),
        "stream": "/api/v1/streaming/public/local",
        **filled_page_context(read, viewer, context="public", max_id=requested_max_id(request)),
    }
    return render(request, "frontend/timeline.html", context)


@require_GET
def federated_timeline(request: HttpRequest) -> HttpResponse:
    """Show the newest public posts known here, from members and from other servers."""
    viewer = viewer_actor(request)
    read = _public_reader(viewer, local=False)
    context = {
        "title": _("Federated timeline"),
        "stream": "/api/v1/streaming/public",
        **filled_page_context(read, viewer, context="public", max_id=requested_max_id(request)),
    }
    return render(request, "frontend/timeline.html", context)


@require_GET
def hashtag(request: HttpRequest, name: str) -> HttpResponse:
    """Show public posts with a hashtag."""
    viewer = viewer_actor(request)
    read = _public_reader(viewer, local=False, tag=name)
    context = {
        "title": f"#{name}",
        "stream": f"/api/v1/streaming/hashtag?{urlencode({'tag': name})}",
        **filled_page_context(read, viewer, context="public", max_id=requested_max_id(request)),
    }
    return render(request, "frontend/timeline.html", context)


@require_GET
def thread(request: HttpRequest, status_id: int) -> HttpResponse:
    """Show a status with the replies and parents the viewer may see."""
    viewer = viewer_actor(request)
    status = access_status_by_id(viewer, status_id)
    ancestors, descendants = thread_for(viewer, status)
    context = {
        "ancestors": post_views(ancestors, viewer, context="thread"),
        # The post the thread is about stays, folded behind a warning at most, as Mastodon shows it.
        "focused": post_views([status], viewer, context="thread", hide=False)[0],
        "descendants": post_views(descendants, viewer, context="thread"),
    }
    return render(request, "frontend/thread.html", context)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """Show the member's newest notifications and mark them read; `?max_id=` shows older ones."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    found_notifications = notifications_for(viewer).order_by("-id")
    max_id = requested_max_id(request)
    if max_id is not None:
        found_notifications = found_notifications.filter(pk__lt=max_id)
    found = list(found_notifications[:PAGE_SIZE])
    if found and max_id is None:
        # Showing the newest notifications reads them, as Mastodon's web app
        # moves the notifications marker when its column is shown; the marker
        # action also marks them read, so every app's unread count agrees.
        do_advance_marker(viewer, Marker.Timeline.NOTIFICATIONS, found[0].pk)
    pending = Follow.objects.filter(target=viewer, state=Follow.State.PENDING).count()
    shown = notification_views(found, viewer, timezone.now())
    context = {
        "notifications": shown,
        "pending_requests": pending,
        "older_max_id": found[-1].pk if len(found) >= PAGE_SIZE else None,
    }
    return render(request, "frontend/notifications.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find accounts (resolving user@server handles for signed-in members) and hashtags."""
    query = request.GET.get("q", "").strip()
    viewer = viewer_actor(request)
    accounts: list[AccountName] = []
    tags: list[Tag] = []
    if query:
        accounts = account_names(search_accounts(query, viewer=viewer, limit=20, resolve=viewer is not None))
        tags = list(Tag.objects.filter(name__istartswith=query.lstrip("#").lower()).order_by("name")[:10])
    context = {"query": query, "accounts": accounts, "tags": tags}
    return render(request, "frontend/search.html", context)


@require_GET
def account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Show any account known here, local or remote, with its posts the viewer may see and a follow button."""
    viewer = viewer_actor(request)
    actor = access_account_by_id(str(account_id))
    context = {
        "actor": actor,
        **filled_page_context(
            profile_reader(actor, viewer), viewer, context="account", max_id=requested_max_id(request)
        ),
        **account_card_context(viewer, actor),
    }
    return render(request, "frontend/account.html", context)


def profile_reader(actor: Actor, viewer: Actor | None) -> StatusReader:
    """Return the reader of an account's posts as the viewer may see them on its profile."""

    def read(max_id: int | None, limit: int) -> list[Status]:
        return statuses_for_profile(actor, viewer, limit=limit, max_id=max_id)

    return read


def account_card_context(viewer: Actor | None, actor: Actor) -> dict[str, object]:
    """Return what an account's card shows: its counts, as its client API Account gives them, and the viewer's side.

    The counts are those of what this server knows: for a remote account,
    the follows and posts stored here.
    """
    entity = account_entity(actor)
    counts = {
        "statuses": entity["statuses_count"],
        "following": entity["following_count"],
        "followers": entity["followers_count"],
    }
    return {"counts": counts, **relationship_context(viewer, actor)}


def relationship_context(viewer: Actor | None, actor: Actor) -> dict[str, object]:
    """Return what an account's page needs for its follow, mute and block buttons, and its pending requests."""
    if viewer is None or viewer.pk == actor.pk:
        pending = Follow.objects.filter(target=actor, state=Follow.State.PENDING).count() if viewer else 0
        return {"viewer": viewer, "pending_requests": pending, "avatar": avatar_url(actor)}
    return {
        "viewer": viewer,
        "avatar": avatar_url(actor),
        "follow": Follow.objects.filter(follower=viewer, target=actor).first(),
        "follows_you": Follow.objects.filter(follower=actor, target=viewer, state=Follow.State.ACCEPTED).exists(),
        "muted": Mute.objects.filter(account=viewer, target=actor).exists(),
        "blocked": Block.objects.filter(account=viewer, target=actor).exists(),
    }


def next_from_query(request: HttpRequest, fallback: str) -> str:
    """Return the `?next=` page a confirmation goes back to, if it is on this site, else `fallback`."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def ask_about_account(
    request: HttpRequest, target: Actor, template: str, question: str, **extra: object
) -> HttpResponse:
    """Ask before acting on an account (block, mute): a page of its own, or the profile's buttons replaced in place.

    `template` extends `frontend/account_question.html`; its answer goes back to `?next=` or the account's page.
    """
    context = {
        "actor": target,
        "question": question,
        "next": next_from_query(request, f"/accounts/{target.pk}"),
        # Asked from a profile with JavaScript, the question takes the place of its buttons, under its name.
        "in_place": request.headers.get("HX-Request") == "true",
        **extra,
    }
    return render(request, template, context)


def back_to(request: HttpRequest, fallback: str) -> HttpResponseBase:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def follow(request: HttpRequest, account_id: int) -> HttpResponseBase:
    """Follow an account (a request when it approves followers by hand)."""
    viewer = viewer_actor(request)
    target = access_account_by_id(str(account_id))
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    with refusal_as_message(request):
        check_follow(viewer, target)
        created = do_follow(viewer, target)
        if created.state == Follow.State.ACCEPTED:
            messages.success(request, _("You follow %(acct)s.") % {"acct": target.acct})
        else:
            messages.success(request, _("Follow request sent to %(acct)s.") % {"acct": target.acct})
    return back_to(request, f"/accounts/{target.pk}")


@login_required
@require_POST
def unfollow(request: HttpRequest, account_id: int) -> HttpResponseBase:
    """Stop following an account, or withdraw a request."""
    viewer = viewer_actor(request)
    target = access_account_by_id(str(account_id))
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    do_unfollow(viewer, target)
    messages.success(request, _("You no longer follow %(acct)s.") % {"acct": target.acct})
    return back_to(request, f"/accounts/{target.pk}")


@login_required
@require_POST
def interact(request: HttpRequest, status_id: int, verb: str) -> HttpResponseBase:
    """Favourite, unfavourite, boost or unboost a status the viewer may see."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    status = access_status_by_id(viewer, status_id)
    with refusal_as_message(request):
        if verb == "favourite":
            check_favourite(viewer, status)
            do_favourite(viewer, status)
        elif verb == "unfavourite":
            do_unfavourite(viewer, status)
        elif verb == "boost":
            check_reblog(viewer, status)
            do_reblog(viewer, status)
        elif verb == "unboost":
            do_unreblog(viewer, status)
        else:
            messages.error(request, _("Unknown action."))
    return back_to(request, f"/statuses/{status.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest, account_id: int) -> HttpResponseBase:
    """Ask before blocking an account (GET); block it, or lift the block with `do=unblock` (POST).

    The POST goes through the client API's block actions.
    """
    viewer = viewer_actor(request)
    target = access_account_by_id(str(account_id))
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    if request.method == "GET":
        with refusal_as_message(request):
            check_block(viewer, target)
            question = _("Block @%(acct)s?") % {"acct": target.acct}
            return ask_about_account(request, target, "frontend/block.html", question)
        return redirect(f"/accounts/{target.pk}")
    if request.POST.get("do") == "unblock":
        do_unblock(viewer, target)
        messages.success(request, _("You unblocked %(acct)s.") % {"acct": target.acct})
    else:
        with refusal_as_message(request):
            check_block(viewer, target)
            do_block(viewer, target)
            messages.success(
                request, _("You blocked %(acct)s: neither of you follows the other now.") % {"acct": target.acct}
            )
    return back_to(request, f"/accounts/{target.pk}")


@login_required
@require_GET
def follow_requests(request: HttpRequest) -> HttpResponse:
    """List the accounts asking to follow the member, oldest first, with buttons to approve or reject each."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    pending = Follow.objects.filter(target=viewer, state=Follow.State.PENDING).select_related("follower").order_by("pk")
    followers = account_names([follow.follower for follow in pending])
    return render(request, "frontend/follow_requests.html", {"requests": followers, "viewer": viewer})


@login_required
@require_POST
def answer_follow_request(request: HttpRequest, account_id: int, verb: str) -> HttpResponseBase:
    """Approve or reject one pending follow request, as `POST /api/v1/follow_requests/:id/authorize|reject`."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    follower = access_account_by_id(str(account_id))
    with refusal_as_message(request):
        check_answer_follow_request(viewer, follower)
        if verb == "authorize":
            do_accept_follow_request(viewer, follower)
            messages.success(request, _("%(acct)s now follows you.") % {"acct": follower.acct})
        elif verb == "reject":
            do_reject_follow_request(viewer, follower)
            messages.success(request, _("You turned down %(acct)s's request.") % {"acct": follower.acct})
        else:
            messages.error(request, _("Unknown action."))
    return redirect("frontend:follow_requests")
