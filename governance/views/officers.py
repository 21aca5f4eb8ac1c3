"""Officers' pages (moderators and administrators): the co-op's custom emoji and its announcements."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from config.web_refusals import refusal_as_message, refusal_on_form
from governance.access import is_moderator
from governance.actions.announcements import (
    check_publish_announcement,
    check_withdraw_announcement,
    do_publish_announcement,
    do_withdraw_announcement,
)
from governance.actions.custom_emojis import (
    check_manage_custom_emojis,
    do_add_custom_emoji,
    do_retire_custom_emoji,
    officer_authority,
)
from governance.selectors import announcements_shown
from members.models import User
from timeline.actions.custom_emojis import check_create_custom_emoji, check_remove_custom_emoji
from timeline.selectors import local_custom_emojis


def _officer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_moderator(user):
        raise Http404("Record not found")
    return user


class CustomEmojiForm(forms.Form):
    """A new emoji: its shortcode, image and place in apps' pickers."""

    shortcode = forms.CharField(label=_("Shortcode (letters, digits and _)"), max_length=64)
    image = forms.FileField(label=_("Image (PNG, GIF or WebP, at most 256 KB)"))
    category = forms.CharField(label=_("Category (optional)"), required=False, max_length=64)
    visible_in_picker = forms.BooleanField(label=_("Offer it in apps' emoji pickers"), required=False, initial=True)


@login_required
@require_http_methods(["GET", "POST"])
def custom_emojis(request: HttpRequest) -> HttpResponse:
    """List the co-op's emoji and add one; each addition is written to the transparency log."""
    user = _officer(request)
    form = CustomEmojiForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            check_manage_custom_emojis(user)
            upload = form.cleaned_data["image"]
            draft = check_create_custom_emoji(
                form.cleaned_data["shortcode"],
                upload,
                size=upload.size,
                category=form.cleaned_data["category"],
                visible_in_picker=form.cleaned_data["visible_in_picker"],
            )
            emoji, _sequence = do_add_custom_emoji(draft, authority=officer_authority(user))
            messages.success(request, _("Added :%(shortcode)s:.") % {"shortcode": emoji.shortcode})
            return redirect("governance:custom_emojis_page")
    context = {"form": form, "emojis": list(local_custom_emojis())}
    return render(request, "governance/custom_emojis.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def remove_custom_emoji(request: HttpRequest, shortcode: str) -> HttpResponse:
    """Remove one of the co-op's emoji; the removal is written to the transparency log."""
    user = _officer(request)
    with refusal_as_message(request):
        check_manage_custom_emojis(user)
        emoji = check_remove_custom_emoji(shortcode)
        do_retire_custom_emoji(emoji, authority=officer_authority(user))
        messages.success(request, _("Removed :%(shortcode)s:.") % {"shortcode": shortcode})
    return redirect("governance:custom_emojis_page")


class AnnouncementForm(forms.Form):
    """A notice for every member's app; the dates are optional."""

    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    starts_at = forms.DateTimeField(
        label=_("Starts (optional)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends (optional; it is no longer shown after)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def announcements(request: HttpRequest) -> HttpResponse:
    """List the announcements shown now and publish a new one."""
    user = _officer(request)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            data = form.cleaned_data
            draft = check_publish_announcement(
                user, text=data["text"], starts_at=data["starts_at"], ends_at=data["ends_at"], all_day=data["all_day"]
            )
            do_publish_announcement(draft, user=user)
            messages.success(request, _("Announcement published."))
            return redirect("governance:announcements_page")
    context = {"form": form, "announcements": list(announcements_shown())}
    return render(request, "governance/announcements.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def withdraw_announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    """Withdraw an announcement from every member's app."""
    user = _officer(request)
    with refusal_as_message(request):
        do_withdraw_announcement(check_withdraw_announcement(user, announcement_id))
        messages.success(request, _("Announcement withdrawn."))
    return redirect("governance:announcements_page")
