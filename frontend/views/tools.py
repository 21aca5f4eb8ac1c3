"""A member's own tools in the web app: bookmarks, favourites, lists, filters and mutes.

Each form calls the same timeline actions as the client API.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from config.api.pagination import PageRequest, paginate
from config.web_refusals import refusal_as_message
from federation.access import access_account_by_id
from federation.models import Actor
from frontend.list_rows import account_names
from frontend.viewer import viewer_actor
from frontend.views.social import (
    PAGE_SIZE,
    ask_about_account,
    back_to,
    filled_page_context,
    page_context,
    requested_max_id,
)
from timeline.access import (
    access_filter_by_id,
    access_list_by_id,
    access_status_by_id,
    can_view_status,
)
from timeline.actions.bookmarks import check_bookmark, do_bookmark, do_unbookmark
from timeline.actions.filters import KeywordChange, check_filter, do_create_filter, do_delete_filter
from timeline.actions.lists import (
    check_add_list_accounts,
    check_list,
    do_add_list_accounts,
    do_create_list,
    do_delete_list,
    do_remove_list_accounts,
    do_update_list,
)
from timeline.actions.mutes import check_mute, do_mute, do_unmute
from timeline.models import Bookmark, Favourite, Filter, List, Mute, Status
from timeline.selectors import list_timeline_for

# Where a filter applies, named as Mastodon's web app names it; the values stored are the client API's.
FILTER_CONTEXTS: dict[str, StrOrPromise] = {
    "home": _("Home and lists"),
    "notifications": _("Notifications"),
    "public": _("Public timelines"),
    "thread": _("Conversations"),
    "account": _("Profiles"),
}
FILTER_ACTIONS: dict[str, StrOrPromise] = {
    Filter.Action.WARN: _("Hide with a warning"),
    Filter.Action.HIDE: _("Hide completely"),
}

# Whose replies a list shows, as Mastodon's web app asks it.
LIST_REPLIES_POLICIES: dict[str, StrOrPromise] = {
    List.RepliesPolicy.FOLLOWED: _("Any followed user"),
    List.RepliesPolicy.LIST: _("Members of the list"),
    List.RepliesPolicy.NONE: _("No one"),
}


@dataclass(frozen=True)
class FilterRow:
    """A filter as the filters page lists it: what it does and where, in the reader's language."""

    the_filter: Filter
    action: StrOrPromise
    where: list[StrOrPromise]


# How long a mute lasts, as Mastodon's web app offers it; 0 is until lifted.
MUTE_DURATIONS = [
    (0, _("Indefinitely")),
    (300, _("5 minutes")),
    (1800, _("30 minutes")),
    (3600, _("1 hour")),
    (6 * 3600, _("6 hours")),
    (86_400, _("1 day")),
    (3 * 86_400, _("3 days")),
    (7 * 86_400, _("7 days")),
]


def _actor(request: HttpRequest) -> Actor:
    actor = viewer_actor(request)
    if actor is None:
        raise Http404("Record not found")
    return actor


def _page(request: HttpRequest) -> PageRequest:
    return PageRequest(max_id=requested_max_id(request), limit=PAGE_SIZE)


@login_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    """Show the member's bookmarked posts, newest bookmark first, paged by bookmark as the client API pages them."""
    actor = _actor(request)
    saved = paginate(Bookmark.objects.filter(account=actor).select_related("status__account"), _page(request))
    # A bookmark outlives the member's right to see its post (an unfollow); such posts are left out.
    statuses = [bookmark.status for bookmark in saved if can_view_status(actor, bookmark.status)]
    page = page_context(statuses, actor, context=None, page_ids=[bookmark.pk for bookmark in saved])
    return render(request, "frontend/timeline.html", {"title": _("Bookmarks"), **page})


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    """Show the posts the member favourited, newest favourite first, paged by favourite as the client API does."""
    actor = _actor(request)
    liked = paginate(Favourite.objects.filter(account=actor).select_related("status__account"), _page(request))
    statuses = [favourite.status for favourite in liked if can_view_status(actor, favourite.status)]
    page = page_context(statuses, actor, context=None, page_ids=[favourite.pk for favourite in liked])
    return render(request, "frontend/timeline.html", {"title": _("Favourites"), **page})


@login_required
@require_POST
def bookmark(request: HttpRequest, status_id: int) -> HttpResponseBase:
    """Bookmark or unbookmark a post the member may see."""
    actor = _actor(request)
    status = access_status_by_id(actor, status_id)
    original = status.reblog_of or status
    if request.POST.get("do") == "remove":
        do_unbookmark(actor, original)
    else:
        with refusal_as_message(request):
            check_bookmark(actor, original)
            do_bookmark(actor, original)
            messages.success(request, _("Bookmarked."))
    return back_to(request, "/bookmarks")


@login_required
@require_http_methods(["GET", "POST"])
def lists(request: HttpRequest) -> HttpResponse:
    """Show the member's lists; create one from the form."""
    actor = _actor(request)
    if request.method == "POST":
        with refusal_as_message(request):
            draft = check_list(title=request.POST.get("title", ""), exclusive=request.POST.get("exclusive") == "on")
            created = do_create_list(actor, draft)
            messages.success(request, _("List created."))
            return redirect("frontend:list", list_id=created.pk)
    own = List.objects.filter(account=actor).order_by("title")
    return render(request, "frontend/lists.html", {"lists": own})


@login_required
@require_http_methods(["GET", "POST"])
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    """Show a list's timeline and members; rename it or change its settings, add, remove or delete."""
    actor = _actor(request)
    the_list = access_list_by_id(actor, list_id)
    if request.method == "POST":
        action = request.POST.get("do", "")
        try:
            with refusal_as_message(request):
                if action == "update":
                    draft = check_list(
                        title=request.POST.get("title", ""),
                        replies_policy=request.POST.get("replies_policy", the_list.replies_policy),
                        exclusive=request.POST.get("exclusive") == "on",
                    )
                    do_update_list(the_list, draft)
                    messages.success(request, _("List saved."))
                elif action == "add":
                    account = access_account_by_id(request.POST.get("account_id", ""))
                    check_add_list_accounts(the_list, [account])
                    do_add_list_accounts(the_list, [account])
                elif action == "remove":
                    raw_id = request.POST.get("account_id", "")
                    do_remove_list_accounts(the_list, [int(raw_id)] if raw_id.isdigit() else [])
                elif action == "delete":
                    do_delete_list(the_list)
                    messages.success(request, _("List deleted."))
                    return redirect("frontend:lists")
        except Http404 as exc:
            messages.error(request, str(exc) or _("No such account."))
        return redirect("frontend:list", list_id=the_list.pk)

    def read(max_id: int | None, limit: int) -> list[Status]:
        # The same entries as the client API's list timeline, paged by status as it pages them.
        page = PageRequest(max_id=max_id, limit=limit)
        ids = [entry.status_id for entry in paginate(list_timeline_for(the_list, actor), page, field="status_id")]
        loaded = Status.objects.select_related("account").in_bulk(ids)
        return [loaded[status_id] for status_id in ids if status_id in loaded]

    members = Actor.objects.filter(pk__in=the_list.entries.values("account_id")).order_by("username")
    followed = Actor.objects.filter(follower_set__follower=actor, follower_set__state="accepted").exclude(
        pk__in=the_list.entries.values("account_id")
    )
    context = {
        "list": the_list,
        "replies_policies": LIST_REPLIES_POLICIES.items(),
        "stream": f"/api/v1/streaming/list?{urlencode({'list': the_list.pk})}",
        # Mastodon's list timelines take the home filters.
        **filled_page_context(read, actor, context="home", max_id=requested_max_id(request)),
        # Each account with its avatar and display name (custom emoji found in one query), as other lists of accounts.
        "members": account_names(list(members)),
        "followed": followed.order_by("username")[:200],
    }
    return render(request, "frontend/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def filters(request: HttpRequest) -> HttpResponse:
    """Show the member's filters; create one (keywords, contexts, warn or hide, expiry); delete one."""
    actor = _actor(request)
    if request.method == "POST":
        if request.POST.get("do") == "delete":
            do_delete_filter(access_filter_by_id(actor, request.POST.get("filter_id", "")))
            messages.success(request, _("Filter deleted."))
            return redirect("frontend:filters")
        words = [word.strip() for word in request.POST.get("keywords", "").split(",") if word.strip()]
        expires = request.POST.get("expires_in", "")
        with refusal_as_message(request):
            draft = check_filter(
                title=request.POST.get("title", ""),
                context=request.POST.getlist("context"),
                filter_action=request.POST.get("filter_action", Filter.Action.WARN),
                expires_in=int(expires) if expires.isdigit() else None,
                keywords=[
                    KeywordChange(keyword=word, whole_word=request.POST.get("whole_word") == "on") for word in words
                ],
            )
            do_create_filter(actor, draft)
            messages.success(request, _("Filter saved."))
        return redirect("frontend:filters")
    own = Filter.objects.filter(account=actor).prefetch_related("keywords").order_by("title")
    rows = [
        FilterRow(
            the_filter=the_filter,
            action=FILTER_ACTIONS.get(the_filter.filter_action, the_filter.filter_action),
            where=[FILTER_CONTEXTS.get(context, context) for context in the_filter.context],
        )
        for the_filter in own
    ]
    context = {"filters": rows, "contexts": FILTER_CONTEXTS.items(), "actions": FILTER_ACTIONS.items()}
    return render(request, "frontend/filters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mutes(request: HttpRequest) -> HttpResponseBase:
    """Show muted accounts; mute (optionally for a while) or unmute one."""
    actor = _actor(request)
    if request.method == "POST":
        target = access_account_by_id(request.POST.get("account_id", ""))
        if request.POST.get("do") == "unmute":
            do_unmute(actor, target)
            messages.success(request, _("Unmuted."))
        else:
            duration = request.POST.get("duration", "")
            with refusal_as_message(request):
                check_mute(actor, target, duration=int(duration) if duration.isdigit() else 0)
                do_mute(
                    actor,
                    target,
                    notifications=request.POST.get("notifications", "on") == "on",
                    duration=int(duration) if duration.isdigit() else 0,
                )
                messages.success(request, _("Muted."))
        return back_to(request, "/mutes")
    muted = Mute.objects.filter(account=actor).select_related("target").order_by("target__username")
    return render(request, "frontend/mutes.html", {"mutes": muted})


@login_required
@require_GET
def mute(request: HttpRequest, account_id: int) -> HttpResponseBase:
    """Ask before muting an account: for how long, and whether its notifications are hidden too, as Mastodon asks."""
    actor = _actor(request)
    target = access_account_by_id(str(account_id))
    with refusal_as_message(request):
        check_mute(actor, target)
        question = _("Mute @%(acct)s?") % {"acct": target.acct}
        return ask_about_account(request, target, "frontend/mute.html", question, durations=MUTE_DURATIONS)
    return redirect(f"/accounts/{target.pk}")
