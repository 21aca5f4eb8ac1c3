"""The signed-in member's home: compose a status (reply, content warning, poll) and read the home timeline."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from config.web_refusals import refusal_on_form
from frontend.viewer import viewer_actor
from frontend.views.posts import REDRAFT_SESSION_KEY
from frontend.views.social import PAGE_SIZE, page_context
from members.selectors import account_posting_refusal
from timeline.access import StatusNotFound, access_status_by_id
from timeline.actions.media import check_upload_media, do_create_media
from timeline.actions.statuses import MAX_STATUS_CHARACTERS, check_create_status, do_create_status
from timeline.models import POSTING_VISIBILITIES, Status, Visibility
from timeline.selectors import home_timeline_for

POLL_OPTION_FIELDS = 4
POLL_DURATIONS = [
    (3600, _("1 hour")),
    (86_400, _("1 day")),
    (3 * 86_400, _("3 days")),
    (7 * 86_400, _("7 days")),
]


class ComposeForm(forms.Form):
    """The fields of a new status."""

    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    spoiler_text = forms.CharField(label=_("Content warning (optional)"), required=False, max_length=500)
    text = forms.CharField(
        label=_("What's on your mind?"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_STATUS_CHARACTERS}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[(value, label) for value, label in Visibility.choices if value in POSTING_VISIBILITIES],
        initial=Visibility.PUBLIC,
    )
    image = forms.FileField(label=_("Image (optional)"), required=False)
    image_description = forms.CharField(
        label=_("Describe the image for people who cannot see it"), required=False, max_length=1500
    )
    poll_option_1 = forms.CharField(label=_("Poll choice 1 (optional)"), required=False, max_length=50)
    poll_option_2 = forms.CharField(label=_("Poll choice 2"), required=False, max_length=50)
    poll_option_3 = forms.CharField(label=_("Poll choice 3"), required=False, max_length=50)
    poll_option_4 = forms.CharField(label=_("Poll choice 4"), required=False, max_length=50)
    poll_multiple = forms.BooleanField(label=_("Allow several choices"), required=False)
    poll_expires_in = forms.TypedChoiceField(
        label=_("Poll length"), choices=POLL_DURATIONS, coerce=int, initial=86_400, required=False
    )

    def clean(self) -> dict[str, Any]:
        """Refuse a poll of one choice, and a poll with an image, before anything is stored."""
        cleaned = super().clean() or {}
        options = self.poll_options()
        if len(options) == 1:
            self.add_error("text", _("A poll needs at least two choices."))
        elif options and cleaned.get("image"):
            self.add_error("text", _("A status cannot have both a poll and media attachments."))
        return cleaned

    def poll_options(self) -> list[str]:
        """Return the poll choices filled in, in order."""
        options = (self.cleaned_data.get(f"poll_option_{n}", "") for n in range(1, POLL_OPTION_FIELDS + 1))
        return [option.strip() for option in options if option and option.strip()]


def _reply_target(request: HttpRequest, raw: object) -> Status | None:
    if raw in (None, ""):
        return None
    try:
        return access_status_by_id(viewer_actor(request), int(str(raw)))
    except (StatusNotFound, ValueError):
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the home timeline; on POST, post the composed status through the timeline actions."""
    actor = viewer_actor(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    replying_to = _reply_target(request, request.POST.get("in_reply_to") or request.GET.get("in_reply_to"))
    initial: dict[str, object] = {"visibility": actor.user.default_visibility if actor.user else "public"}
    if replying_to is not None:
        # A limited status is shown as followers-only; so is the reply it starts.
        limited = replying_to.visibility == Visibility.LIMITED
        reply_visibility = Visibility.PRIVATE if limited else replying_to.visibility
        initial = {
            "in_reply_to": replying_to.pk,
            "text": f"@{replying_to.account.acct} " if replying_to.account_id != actor.pk else "",
            "visibility": reply_visibility,
            "spoiler_text": replying_to.spoiler_text,
        }
    redraft = request.session.pop(REDRAFT_SESSION_KEY, None) if request.method == "GET" else None
    if isinstance(redraft, dict):
        initial = {key: value for key, value in redraft.items() if value not in (None, "")}
    form = ComposeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        options = form.poll_options()
        image = form.cleaned_data["image"]
        with refusal_on_form(form, "text"):
            upload = None
            if image:
                upload = check_upload_media(
                    actor, image, size=image.size or 0, description=form.cleaned_data["image_description"]
                )
            draft = check_create_status(
                actor,
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
                spoiler_text=form.cleaned_data["spoiler_text"],
                in_reply_to_id=replying_to.pk if replying_to is not None else None,
                poll_options=options or None,
                poll_multiple=form.cleaned_data["poll_multiple"],
                poll_expires_in=form.cleaned_data["poll_expires_in"] or 86_400,
            )
            if upload is not None:
                # The upload is stored only once the post passed its checks, so a
                # refused post stores nothing; a new upload is the author's, ready
                # and unattached, which is all a draft's media must be (the form
                # already refused a poll beside it).
                draft = replace(draft, media=[do_create_media(actor, upload)])
            do_create_status(actor, draft)
            messages.success(request, _("Posted."))
            return redirect("frontend:home")
    max_id = request.GET.get("max_id", "")
    statuses = home_timeline_for(actor, limit=PAGE_SIZE, max_id=int(max_id) if max_id.isdigit() else None)
    context = {
        "form": form,
        "actor": actor,
        # An applicant, or a member whose posting is paused, is told why instead of being shown a form that fails.
        "posting_refusal": account_posting_refusal(actor),
        # A browser cannot keep a chosen file across a refused post, so the member is told to choose it again.
        "image_dropped": bool(form.errors and request.FILES.get("image")),
        "replying_to": replying_to,
        **page_context(statuses, actor),
    }
    return render(request, "frontend/home.html", context, status=400 if form.errors else 200)
