"""Direct conversations: direct messages grouped by the people they are between, as Mastodon's web app lists them.

The list, marking read and removal go through the same selector and
conversation actions as the client API's `/api/v1/conversations`; a reply is
posted by the compose form's timeline actions, direct by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from federation.models import Actor
from frontend.list_rows import AccountName, account_names, post_excerpt
from frontend.posts import PostView, post_views
from frontend.viewer import viewer_actor
from frontend.views.home import compose_form, post_composed
from frontend.views.social import PAGE_SIZE
from timeline.access import access_conversation_by_id, can_view_status, visible_statuses
from timeline.actions.conversations import do_mark_conversation_read, do_remove_conversation
from timeline.models import Conversation
from timeline.selectors import conversations_for, thread_for


@dataclass(frozen=True)
class ConversationRow:
    """One conversation as the list shows it: who it is with, its last post, whether it is unread."""

    conversation: Conversation
    participants: list[AccountName]
    last: PostView | None
    # The last post's content warning, else the start of its text, shown with the emoji its entity lists.
    excerpt: str = ""


def _rows(page: list[Conversation], viewer: Actor) -> list[ConversationRow]:
    shown = visible_statuses(viewer, [item.last_status for item in page])
    posts = {post.status.pk: post for post in post_views(shown, viewer)}
    everyone = [actor for item in page for actor in item.participants.all()]
    names = {name.actor.pk: name for name in account_names(everyone)}
    rows = []
    for item in page:
        last = posts.get(item.last_status_id)
        rows.append(
            ConversationRow(
                conversation=item,
                participants=[names[actor.pk] for actor in item.participants.all()],
                last=last,
                excerpt=post_excerpt(last.shown) if last else "",
            )
        )
    return rows


@login_required
def conversations(request: HttpRequest) -> HttpResponse:
    """List the member's conversations, the most recently active first, a page at a time by last status."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    found = conversations_for(viewer).order_by("-last_status_id")
    max_id = request.GET.get("max_id", "")
    if max_id.isdigit():
        found = found.filter(last_status_id__lt=int(max_id))
    page = list(found[:PAGE_SIZE])
    context = {
        "rows": _rows(page, viewer),
        "older_max_id": page[-1].last_status_id if len(page) >= PAGE_SIZE else None,
    }
    return render(request, "frontend/conversations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponseBase:
    """Show a conversation's thread and mark it read; on POST, post the reply (direct unless changed)."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    item = access_conversation_by_id(viewer, conversation_id)
    last = item.last_status
    visible = can_view_status(viewer, last)
    form = compose_form(request, viewer, last if visible else None, redraft=False)
    if request.method == "POST" and visible and form.is_valid():
        posted = post_composed(viewer, form, last)
        if posted:
            messages.success(request, _("Sent."))
            return redirect("frontend:conversation", conversation_id=item.pk)
    if request.method == "GET" and item.unread:
        do_mark_conversation_read(item)
    ancestors, descendants = thread_for(viewer, last) if visible else ([], [])
    context = {
        "conversation": item,
        "participants": list(item.participants.all()),
        "posts": post_views([*ancestors, last, *descendants], viewer) if visible else [],
        "form": form if visible else None,
        "compose_action": request.path,
        "compose_title": _("Reply in this conversation"),
    }
    return render(request, "frontend/conversation.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def remove_conversation(request: HttpRequest, conversation_id: int) -> HttpResponseBase:
    """Remove a conversation from the member's list, as the client API's DELETE does; its posts stay."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    do_remove_conversation(access_conversation_by_id(viewer, conversation_id))
    messages.success(request, _("The conversation was removed from your list. Its posts stay."))
    return redirect("frontend:conversations")
