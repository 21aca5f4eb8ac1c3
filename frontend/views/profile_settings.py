"""The member's profile settings: name, bio, fields, images, how the account appears, posting defaults, language,
time zone."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from config.web_refusals import refusal_as_message, refusal_on_form
from frontend.viewer import viewer_actor
from members.actions.preferences import (
    check_interface_language,
    check_posting_defaults,
    check_time_zone,
    do_set_interface_language,
    do_set_time_zone,
    offered_time_zones,
)
from members.actions.profile import check_update_profile, do_update_profile
from members.models import User
from timeline.entities.accounts import avatar_url
from timeline.rendering import plain_text_of

FIELD_ROWS = 4


class ProfileForm(forms.Form):
    """What a member may change about their profile."""

    display_name = forms.CharField(label=_("Display name"), required=False, max_length=200)
    note = forms.CharField(label=_("Bio"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    avatar = forms.FileField(label=_("Profile picture (PNG, JPEG, GIF or WebP)"), required=False)
    header = forms.FileField(label=_("Header image"), required=False)
    locked = forms.BooleanField(label=_("Approve followers by hand"), required=False)
    bot = forms.BooleanField(label=_("This account is automated"), required=False)
    discoverable = forms.BooleanField(label=_("Suggest this account to others"), required=False)
    default_visibility = forms.ChoiceField(
        label=_("New posts are, unless I choose otherwise"),
        choices=[
            ("public", _("Public")),
            ("unlisted", _("Unlisted")),
            ("private", _("Followers only")),
            ("direct", _("Mentioned people only")),
        ],
        required=False,
    )
    default_sensitive = forms.BooleanField(label=_("Mark my media as sensitive by default"), required=False)
    default_language = forms.CharField(
        label=_("Language of my posts (a code such as en or fr; empty to leave it unset)"),
        required=False,
        max_length=16,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for index in range(FIELD_ROWS):
            self.fields[f"field_{index}_name"] = forms.CharField(
                label=_("Extra field %(n)s: label") % {"n": index + 1}, required=False, max_length=255
            )
            self.fields[f"field_{index}_value"] = forms.CharField(
                label=_("Extra field %(n)s: content") % {"n": index + 1}, required=False, max_length=255
            )

    def profile_fields(self) -> list[tuple[str, str]]:
        """Return the filled-in extra fields in order."""
        pairs = [
            (self.cleaned_data[f"field_{i}_name"].strip(), self.cleaned_data[f"field_{i}_value"].strip())
            for i in range(FIELD_ROWS)
        ]
        return [(name, value) for name, value in pairs if name or value]


ZoneChoices = list[tuple[str, object]]


def time_zone_choices(current: str) -> ZoneChoices:
    """Return the time zones to choose from, grouped by area and named by place ("Buenos Aires (Argentina)").

    A zone kept for compatibility (US/Eastern) is offered too when it is the
    member's, so the list still shows their choice.
    """
    offered = offered_time_zones()
    choices: ZoneChoices = [("", _("Not set (UTC)"))]
    if current and current not in offered:
        choices.append((current, current))
    areas: dict[str, list[tuple[str, str]]] = {}
    for name in offered:
        if "/" not in name:
            choices.append((name, name))
            continue
        area, *middle, place = name.split("/")
        label = place.replace("_", " ") + (f" ({' / '.join(middle).replace('_', ' ')})" if middle else "")
        areas.setdefault(area, []).append((name, label))
    choices += [(area, sorted(zones, key=lambda zone: zone[1])) for area, zones in areas.items()]
    return choices


class TimeZoneForm(forms.Form):
    """The zone the web app shows and reads times in; the action decides what is a zone."""

    time_zone = forms.CharField(label=_("Time zone"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        kwargs["initial"] = {"time_zone": current}
        super().__init__(*args, **kwargs)
        widget = cast("forms.Select", self.fields["time_zone"].widget)
        widget.choices = time_zone_choices(current)
        if not current:
            # With JavaScript, a member who has not chosen is offered their device's zone (app.js).
            widget.attrs["data-device-zone-select"] = ""


@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    """Show the profile form; on POST, change the profile through the same action as the client API."""
    actor = viewer_actor(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    initial: dict[str, object] = {
        "display_name": actor.display_name,
        "note": plain_text_of(actor.summary),
        "locked": actor.locked,
        "bot": actor.bot,
        "discoverable": actor.discoverable,
        "default_visibility": actor.user.default_visibility if actor.user else "public",
        "default_sensitive": actor.user.default_sensitive if actor.user else False,
        "default_language": actor.user.default_language if actor.user else "",
    }
    for index, field in enumerate(actor.fields[:FIELD_ROWS]):
        initial[f"field_{index}_name"] = field.get("name", "")
        initial[f"field_{index}_value"] = plain_text_of(field.get("value", ""))
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        avatar, header = form.cleaned_data["avatar"], form.cleaned_data["header"]
        with refusal_on_form(form):
            defaults = check_posting_defaults(
                visibility=form.cleaned_data["default_visibility"] or None,
                sensitive=form.cleaned_data["default_sensitive"],
                language=form.cleaned_data["default_language"],
            )
            change = check_update_profile(
                actor,
                display_name=form.cleaned_data["display_name"],
                note=form.cleaned_data["note"],
                fields=form.profile_fields(),
                locked=form.cleaned_data["locked"],
                bot=form.cleaned_data["bot"],
                discoverable=form.cleaned_data["discoverable"],
                avatar=(avatar, avatar.size) if avatar else None,
                header=(header, header.size) if header else None,
            )
            do_update_profile(actor, change, defaults)
            messages.success(request, _("Profile saved."))
            return redirect("frontend:profile_settings")
    zone_form = TimeZoneForm(current=actor.user.time_zone if actor.user else "", auto_id="settings-%s")
    context = {"form": form, "zone_form": zone_form, "actor": actor, "avatar": avatar_url(actor)}
    return render(request, "frontend/profile_settings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def interface_language(request: HttpRequest) -> HttpResponseBase:
    """Store the language the member reads the web app in, then go back to the page they came from."""
    user: User = request.user  # type: ignore[assignment]
    with refusal_as_message(request):
        do_set_interface_language(user, check_interface_language(request.POST.get("language", "")))
        messages.success(request, _("Language saved."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("frontend:profile_settings")


@login_required
@require_POST
def time_zone(request: HttpRequest) -> HttpResponseBase:
    """Store the time zone the member reads and types times in, then go back to the settings page."""
    user: User = request.user  # type: ignore[assignment]
    with refusal_as_message(request):
        do_set_time_zone(user, check_time_zone(request.POST.get("time_zone", "")))
        messages.success(request, _("Time zone saved."))
    return redirect(reverse("frontend:profile_settings") + "#time-zone")
