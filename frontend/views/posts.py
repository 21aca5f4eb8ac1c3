"""A member's own posts and polls: vote, mute a conversation, edit (with its history), delete, delete and redraft.

Each form calls the same timeline actions as the client API's polls and
statuses resources, so the same refusals apply; without JavaScript every
form posts and redirects back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.web_refusals import refusal_as_message, refusal_on_form
from federation.models import Actor
from frontend.media_fields import add_attachment_fields, attachment_attributes, attachment_rows
from frontend.posts import post_views
from frontend.viewer import viewer_actor
from frontend.views.social import back_to
from governance.selectors import proposals_for_polls
from timeline.access import access_poll_by_id, access_status_by_id
from timeline.actions.media import check_media_edits
from timeline.actions.mutes import do_mute_conversation, do_unmute_conversation
from timeline.actions.polls import check_cast_vote, do_cast_vote
from timeline.actions.statuses import (
    MAX_STATUS_CHARACTERS,
    check_delete_status,
    check_edit_status,
    do_delete_status,
    do_edit_status,
)
from timeline.errors import StatusRefused
from timeline.models import MediaAttachment, Poll, Status, StatusEdit

REDRAFT_SESSION_KEY = "frontend_redraft"
# The poll lengths the compose form offers, in seconds: 1 hour, 1, 3 and 7 days.
POLL_LENGTHS = (3600, 86_400, 3 * 86_400, 7 * 86_400)


def _member(request: HttpRequest) -> Actor | None:
    return viewer_actor(request)


@login_required
@require_POST
def vote(request: HttpRequest, poll_id: int) -> HttpResponseBase:
    """Vote in a poll, or cast a ballot in a proposal's poll, as `POST /api/v1/polls/:id/votes` does."""
    actor = _member(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    poll = access_poll_by_id(actor, poll_id)
    raw = request.POST.getlist("choices")
    with refusal_as_message(request):
        if not raw:
            raise StatusRefused(str(_("Choose an option before voting.")))
        if any(not choice.isdigit() for choice in raw):
            raise StatusRefused(str(_("Choose one of the poll's options.")))
        do_cast_vote(check_cast_vote(actor, poll, [int(choice) for choice in raw]))
        link = proposals_for_polls([poll.pk], actor.user_id).get(poll.pk)
        if link is None:
            messages.success(request, _("Your vote was counted."))
        else:
            messages.success(
                request,
                _("Your ballot on proposal #%(n)s was cast in the assembly.") % {"n": link.proposal.pk},
            )
    return back_to(request, f"/statuses/{poll.status_id}")


@login_required
@require_POST
def mute_conversation(request: HttpRequest, status_id: int) -> HttpResponseBase:
    """Mute the notifications of a post's conversation, or let them through with `do=unmute`, as the API's mute."""
    actor = _member(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    status = access_status_by_id(actor, status_id)
    verb = request.POST.get("do", "mute")
    if verb == "unmute":
        do_unmute_conversation(actor, status)
        messages.success(request, _("Notifications from this conversation are back."))
    elif verb == "mute":
        do_mute_conversation(actor, status)
        messages.success(request, _("You will not be notified of this conversation any more."))
    else:
        messages.error(request, _("Unknown action."))
    return back_to(request, f"/statuses/{status.pk}")


class EditForm(forms.Form):
    """The parts of a post its author may change, as Mastodon's edit allows."""

    spoiler_text = forms.CharField(label=_("Content warning (optional)"), required=False, max_length=500)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_STATUS_CHARACTERS})
    )
    sensitive = forms.BooleanField(label=_("Mark the media as sensitive"), required=False)

    def __init__(self, *args: Any, media: Sequence[MediaAttachment] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.media_items = list(media)
        # Each attachment's description and focal point, as Mastodon's edit sends them in `media_attributes`.
        add_attachment_fields(self, self.media_items)

    def media_rows(self) -> list[tuple[MediaAttachment, list[forms.BoundField]]]:
        """Return each attachment with its description and focal point fields, for the template."""
        return attachment_rows(self, self.media_items)

    def media_attributes(self) -> list[dict[str, str]]:
        """Return the attachments' changes in the client API's `media_attributes` shape."""
        return attachment_attributes(self, self.media_items)


@login_required
@require_http_methods(["GET", "POST"])
def edit_status(request: HttpRequest, status_id: int) -> HttpResponseBase:
    """Edit one's own post through the timeline action the client API's edit uses; earlier versions stay visible."""
    actor = _member(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    status = access_status_by_id(actor, status_id)
    initial = {"text": status.text, "spoiler_text": status.spoiler_text, "sensitive": status.sensitive}
    media = list(status.media.order_by("position", "pk"))
    form = EditForm(request.POST or None, initial=initial, media=media)
    if request.method == "GET":
        # Refuse before the member types anything when the edit itself would be refused.
        with refusal_as_message(request):
            check_edit_status(actor, status, text=status.text, spoiler_text=status.spoiler_text)
            return render(request, "frontend/edit_status.html", {"form": form, "post": post_views([status], actor)[0]})
        return redirect("frontend:thread", status_id=status.pk)
    if form.is_valid():
        with refusal_on_form(form, "text"):
            draft = check_edit_status(
                actor,
                status,
                text=form.cleaned_data["text"],
                spoiler_text=form.cleaned_data["spoiler_text"],
                sensitive=form.cleaned_data["sensitive"],
                language=status.language,
            )
            media_edits = check_media_edits(form.media_attributes(), media)
            do_edit_status(actor, status, draft, media_edits=media_edits)
            messages.success(request, _("Your post was edited."))
            return redirect("frontend:thread", status_id=status.pk)
    context = {"form": form, "post": post_views([status], actor)[0]}
    return render(request, "frontend/edit_status.html", context, status=400)


def redraft_source(status: Status) -> dict[str, Any]:
    """Return what the compose form takes back from a post about to be deleted: text, audience, language, media, poll.

    The values are the compose form's own (a session keeps them until the form reads them).
    """
    source: dict[str, Any] = {
        "text": status.text,
        "spoiler_text": status.spoiler_text,
        "visibility": status.visibility,
        "language": status.language,
        "sensitive": status.sensitive,
        "in_reply_to": status.in_reply_to_id,
        "media_ids": [str(pk) for pk in status.media.order_by("position", "pk").values_list("pk", flat=True)],
    }
    poll: Poll | None = getattr(status, "poll", None)
    if poll is not None:
        source |= {f"poll_option_{number}": option for number, option in enumerate(poll.options, start=1)}
        source["poll_multiple"] = poll.multiple
        if poll.expires_at is not None:
            # The form offers a few lengths: the one nearest the poll's own.
            asked = (poll.expires_at - status.created_at).total_seconds()
            source["poll_expires_in"] = min(POLL_LENGTHS, key=lambda seconds: abs(seconds - asked))
    return source


@login_required
@require_http_methods(["GET", "POST"])
def delete_status(request: HttpRequest, status_id: int) -> HttpResponseBase:
    """Ask to confirm, then delete one's own post; with `redraft`, put its text back in the compose form."""
    actor = _member(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    status = access_status_by_id(actor, status_id)
    redraft = request.POST.get("redraft", request.GET.get("redraft", "")) == "1"
    with refusal_as_message(request):
        check_delete_status(actor, status)
        if request.method == "GET":
            context = {"post": post_views([status], actor)[0], "redraft": redraft}
            return render(request, "frontend/delete_status.html", context)
        source = redraft_source(status)
        do_delete_status(actor, status)
        if redraft:
            # The compose form reads the deleted post's source once, as Mastodon's redraft fills its composer; its
            # uploads outlive it (released, not deleted), so the form offers them again to re-attach.
            request.session[REDRAFT_SESSION_KEY] = source
            messages.success(request, _("Your post was deleted; its text is in the form to post again."))
            return redirect("frontend:home")
        messages.success(request, _("Your post was deleted."))
        return redirect("frontend:profile", username=actor.username)
    return redirect("frontend:thread", status_id=status.pk)


@require_GET
def status_history(request: HttpRequest, status_id: int) -> HttpResponse:
    """Show every version of a post the viewer may see, newest first, as the client API's history lists them."""
    viewer = viewer_actor(request)
    status = access_status_by_id(viewer, status_id)
    versions = list(StatusEdit.objects.filter(status=status).order_by("-created_at", "-pk"))
    context = {"post": post_views([status], viewer)[0], "versions": versions}
    return render(request, "frontend/status_history.html", context)
