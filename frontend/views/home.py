"""The signed-in member's home: compose a status and read the home timeline."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from frontend.viewer import viewer_actor
from timeline.actions.statuses import MAX_STATUS_CHARACTERS, check_create_status, do_create_status
from timeline.errors import StatusRefused
from timeline.models import Visibility
from timeline.selectors import home_timeline_for


class ComposeForm(forms.Form):
    """The fields of a new status."""

    spoiler_text = forms.CharField(label=_("Content warning (optional)"), required=False, max_length=500)
    text = forms.CharField(
        label=_("What's on your mind?"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_STATUS_CHARACTERS}),
    )
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.PUBLIC)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the home timeline; on POST, post the composed status through the timeline actions."""
    actor = viewer_actor(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    form = ComposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = check_create_status(
                actor,
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
                spoiler_text=form.cleaned_data["spoiler_text"],
            )
        except StatusRefused as exc:
            form.add_error("text", str(exc))
        else:
            do_create_status(actor, draft)
            messages.success(request, _("Posted."))
            return redirect("frontend:home")
    context = {"form": form, "actor": actor, "statuses": home_timeline_for(actor, limit=40)}
    return render(request, "frontend/home.html", context, status=400 if form.errors else 200)
