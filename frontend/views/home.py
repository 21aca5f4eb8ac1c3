"""The signed-in member's home: compose a status (reply, message, schedule, poll, image) and read the home timeline."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.refusals import Refused
from config.web_refusals import refusal_on_form
from federation.access import AccountNotFound, access_account_by_id
from federation.models import Actor
from frontend.languages import language_choices
from frontend.media_fields import add_attachment_fields, attachment_attributes, attachment_rows, focal_point_fields
from frontend.posts import PostView, post_views
from frontend.viewer import viewer_actor
from frontend.views.posts import POLL_LENGTHS, REDRAFT_SESSION_KEY
from frontend.views.social import filled_page_context, requested_max_id
from members.actions.preferences import check_time_zone
from members.selectors import account_posting_refusal
from timeline.access import MediaNotFound, StatusNotFound, access_own_unattached_media_by_id, access_status_by_id
from timeline.actions.media import (
    MAX_ATTACHMENTS,
    MAX_DESCRIPTION_CHARACTERS,
    check_media_edits,
    check_upload_media,
    do_create_media,
    do_update_media,
)
from timeline.actions.scheduled_statuses import check_scheduled_at, do_schedule_status
from timeline.actions.statuses import MAX_STATUS_CHARACTERS, check_create_status, do_create_status, mentioned_actors
from timeline.models import POSTING_VISIBILITIES, MediaAttachment, Mention, Status, Visibility
from timeline.selectors import home_timeline_for

POLL_OPTION_FIELDS = 4
# One picture's fields, by the first picture's names (`ComposeForm._name` gives the others').
IMAGE_SLOT_FIELDS = ("image", "image_description", "focus_x", "focus_y")
POLL_DURATIONS = list(zip(POLL_LENGTHS, [_("1 hour"), _("1 day"), _("3 days"), _("7 days")], strict=True))
# From the widest audience to the narrowest, to pick the narrower of two as Mastodon's composer does.
_AUDIENCE_ORDER = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.LOCAL, Visibility.PRIVATE, Visibility.DIRECT]
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# The hidden field a page's script fills with the device's time zone, on the forms of a member who has not chosen one.
DEVICE_ZONE_FIELD = "device_time_zone"


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` time, read in the member's time zone or, when the page sent one, in their device's.

    The middleware activates the member's own zone, if they chose one. A
    member who has not gets a hidden field the page's script fills with the
    device's zone, as Mastodon's web app reads times in the device's zone;
    the hint beside the field then names that zone, so a zone this server
    does not know is refused rather than silently read as UTC.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)
        self.device_zone = ""

    def to_python(self, value: Any) -> datetime | None:
        """Read the time in the device's zone if the page sent one, else in the active zone."""
        if value in self.empty_values or not self.device_zone:
            return super().to_python(value)
        try:
            zone = check_time_zone(self.device_zone)
        except Refused:
            raise ValidationError(
                _("This device's time zone (%(zone)s) is not one this server knows: choose yours in your settings."),
                code="device_zone",
                params={"zone": self.device_zone[:64]},
            ) from None
        with timezone.override(zoneinfo.ZoneInfo(zone.name)):
            return super().to_python(value)


def device_zone_field() -> forms.CharField:
    """Return the hidden field carrying the device's time zone (empty without JavaScript)."""
    return forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-device-zone": ""}))


def read_device_zone(form: forms.Form, field: str = "scheduled_at") -> None:
    """Have a bound form's time field read its time in the device's zone, when the page sent one."""
    if form.is_bound:
        zoned = cast("LocalDateTimeField", form.fields[field])
        zoned.device_zone = str(form.data.get(form.add_prefix(DEVICE_ZONE_FIELD), "")).strip()


class ComposeForm(forms.Form):
    """The fields of a new status."""

    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    spoiler_text = forms.CharField(label=_("Content warning (optional)"), required=False, max_length=500)
    text = forms.CharField(
        label=_("What's on your mind?"),
        # No `maxlength`: links count as 23 characters, so the server (and the counter) decide.
        widget=forms.Textarea(attrs={"rows": 4, "data-max-characters": MAX_STATUS_CHARACTERS}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[(value, label) for value, label in Visibility.choices if value in POSTING_VISIBILITIES],
        initial=Visibility.PUBLIC,
    )
    # Left out (an older form, a script), the post takes the member's default language, as the client API does.
    language = forms.ChoiceField(label=_("Language"), required=False)
    scheduled_at = LocalDateTimeField(
        label=_("Publish later (optional)"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "aria-describedby": "id_scheduled_at_zone"}, format=DATETIME_LOCAL_FORMAT
        ),
    )
    device_time_zone = device_zone_field()
    # The first picture's fields keep their plain names; the others are `image_<n>`, `image_<n>_description` and
    # `focus_<n>_x/y`, added in __init__ (one file per field, so each has its own description without JavaScript).
    image = forms.FileField(label=_("Image (optional)"), required=False)
    image_description = forms.CharField(
        label=_("Describe the image for people who cannot see it"),
        required=False,
        max_length=MAX_DESCRIPTION_CHARACTERS,
    )
    focus_x, focus_y = focal_point_fields()
    # Uploads kept from a deleted post (delete and redraft), re-attached as Mastodon's redraft does.
    media_ids = forms.MultipleChoiceField(
        label=_("Images kept from the deleted post"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("That image cannot be attached: it is not one of your unposted images.")},
    )
    sensitive = forms.BooleanField(label=_("Mark media as sensitive"), required=False)
    poll_option_1 = forms.CharField(label=_("Poll choice 1 (optional)"), required=False, max_length=50)
    poll_option_2 = forms.CharField(label=_("Poll choice 2"), required=False, max_length=50)
    poll_option_3 = forms.CharField(label=_("Poll choice 3"), required=False, max_length=50)
    poll_option_4 = forms.CharField(label=_("Poll choice 4"), required=False, max_length=50)
    poll_multiple = forms.BooleanField(label=_("Allow several choices"), required=False)
    poll_expires_in = forms.TypedChoiceField(
        label=_("Poll length"), choices=POLL_DURATIONS, coerce=int, initial=86_400, required=False
    )

    def __init__(
        self,
        *args: Any,
        default_language: str = "",
        kept_media: Sequence[MediaAttachment] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        read_device_zone(self)
        cast("forms.ChoiceField", self.fields["language"]).choices = language_choices(default_language)
        self.kept_media = list(kept_media)
        cast("forms.ChoiceField", self.fields["media_ids"]).choices = [
            (str(item.pk), item.description or _("Image without a description")) for item in self.kept_media
        ]
        # A kept image's description and focal point can be corrected before it is posted again, as Mastodon's
        # composer lets a redrafted image be described anew.
        add_attachment_fields(self, self.kept_media)
        for number in range(2, MAX_ATTACHMENTS + 1):
            self.fields[f"image_{number}"] = forms.FileField(
                label=_("Image %(n)s (optional)") % {"n": number}, required=False
            )
            self.fields[f"image_{number}_description"] = forms.CharField(
                label=_("Describe image %(n)s for people who cannot see it") % {"n": number},
                required=False,
                max_length=MAX_DESCRIPTION_CHARACTERS,
            )
            across, down = focal_point_fields()
            across.label = _("Where image %(n)s stays in view, across (-1 left to 1 right)") % {"n": number}
            down.label = _("Where image %(n)s stays in view, down (1 top to -1 bottom)") % {"n": number}
            self.fields[f"focus_{number}_x"], self.fields[f"focus_{number}_y"] = across, down
        for number in range(1, MAX_ATTACHMENTS + 1):
            # The focal-point script finds each picture's two fields by these marks, whatever their names.
            self.fields[self._name("focus_x", number)].widget.attrs["data-focus"] = "x"
            self.fields[self._name("focus_y", number)].widget.attrs["data-focus"] = "y"

    @staticmethod
    def _name(field: str, number: int) -> str:
        """Return the name of one picture's field: the first keeps the plain names the form always had."""
        if number == 1:
            return field
        return {"image": f"image_{number}", "image_description": f"image_{number}_description"}.get(
            field, field.replace("focus_", f"focus_{number}_")
        )

    def kept_rows(self) -> list[tuple[MediaAttachment, list[forms.BoundField]]]:
        """Return each kept image with its description and focal point fields, for the template."""
        return attachment_rows(self, self.kept_media)

    def kept_attributes(self) -> list[dict[str, str]]:
        """Return the descriptions and focal points of the kept images posted again, as `media_attributes`."""
        chosen = set(self.cleaned_data.get("media_ids") or [])
        return attachment_attributes(self, [item for item in self.kept_media if str(item.pk) in chosen])

    def image_slots(self) -> list[dict[str, Any]]:
        """Return each picture's file, description and focal point fields, for the template."""
        return [
            {"number": number} | {name: self[self._name(name, number)] for name in IMAGE_SLOT_FIELDS}
            for number in range(1, MAX_ATTACHMENTS + 1)
        ]

    def image_errors(self) -> bool:
        """Return whether any picture's fields were refused, so the template opens the pictures' section."""
        return any(self.errors.get(name) for name in self._image_field_names(1))

    def more_image_errors(self) -> bool:
        """Return whether the second to fourth pictures' fields were refused, to open "Add another image"."""
        return any(self.errors.get(name) for name in self._image_field_names(2))

    def _image_field_names(self, first: int) -> list[str]:
        return [self._name(name, number) for number in range(first, MAX_ATTACHMENTS + 1) for name in IMAGE_SLOT_FIELDS]

    def images(self) -> list[tuple[UploadedFile, str, str]]:
        """Return the pictures chosen, in order, each with its description and focal point ("x,y" or "")."""
        chosen = []
        for number in range(1, MAX_ATTACHMENTS + 1):
            image = self.cleaned_data.get(self._name("image", number))
            if image:
                description = self.cleaned_data.get(self._name("image_description", number)) or ""
                chosen.append((image, description, self._focus(number)))
        return chosen

    def clean(self) -> dict[str, Any]:
        """Refuse a poll of one choice, a poll with an image and too many images, before anything is stored."""
        cleaned = super().clean() or {}
        options = self.poll_options()
        images = self.images()
        has_media = bool(images or cleaned.get("media_ids"))
        if len(options) == 1:
            self.add_error("text", _("A poll needs at least two choices."))
        elif options and has_media:
            self.add_error("text", _("A status cannot have both a poll and media attachments."))
        if len(images) + len(cleaned.get("media_ids") or []) > MAX_ATTACHMENTS:
            self.add_error("text", _("A post can have at most %(n)s images.") % {"n": MAX_ATTACHMENTS})
        return cleaned

    def poll_options(self) -> list[str]:
        """Return the poll choices filled in, in order."""
        options = (self.cleaned_data.get(f"poll_option_{n}", "") for n in range(1, POLL_OPTION_FIELDS + 1))
        return [option.strip() for option in options if option and option.strip()]

    def _focus(self, number: int) -> str:
        """Return a picture's focal point as the client API's `focus` ("x,y"), or "" when none was given."""
        x = self.cleaned_data.get(self._name("focus_x", number))
        y = self.cleaned_data.get(self._name("focus_y", number))
        if x is None and y is None:
            return ""
        return f"{x or 0.0},{y or 0.0}"


def _reply_target(request: HttpRequest, raw: object) -> Status | None:
    if raw in (None, ""):
        return None
    try:
        return access_status_by_id(viewer_actor(request), int(str(raw)))
    except (StatusNotFound, ValueError):
        return None


def _message_target(raw: str) -> Actor | None:
    try:
        return access_account_by_id(raw) if raw else None
    except AccountNotFound:
        return None


def narrower_visibility(first: str, second: str) -> str:
    """Return the narrower audience of two, a remote post's limited audience counting as followers-only."""
    ranks = [Visibility.PRIVATE if value == Visibility.LIMITED else Visibility(value) for value in (first, second)]
    return str(max(ranks, key=_AUDIENCE_ORDER.index))


def reply_initial(actor: Actor, replying_to: Status) -> dict[str, object]:
    """Return the compose form's start for a reply, as Mastodon's composer fills it.

    The text names the author and everyone the post mentions, the replier
    left out; the audience is the narrower of the post's and the replier's
    default; the content warning is kept.
    """
    mentioned = Mention.objects.filter(status=replying_to, silent=False).select_related("account").order_by("pk")
    handles = [replying_to.account.acct] if replying_to.account_id != actor.pk else []
    handles += [item.account.acct for item in mentioned if item.account_id != actor.pk]
    default = actor.user.default_visibility if actor.user else Visibility.PUBLIC
    return {
        "in_reply_to": replying_to.pk,
        "text": "".join(f"@{handle} " for handle in dict.fromkeys(handles)),
        "visibility": narrower_visibility(replying_to.visibility, default),
        "spoiler_text": replying_to.spoiler_text,
    }


def compose_form(
    request: HttpRequest,
    actor: Actor,
    replying_to: Status | None,
    message_to: Actor | None = None,
    *,
    redraft: bool = True,
) -> ComposeForm:
    """Return the compose form, bound to a POST or filled for a reply, a message, a redraft or a new post.

    Only a form that may take a deleted post's source back (`redraft`) reads it, once.
    """
    default_language = actor.user.default_language if actor.user else ""
    initial: dict[str, object] = {
        "visibility": actor.user.default_visibility if actor.user else Visibility.PUBLIC,
        "language": default_language or (get_language() or "en").split("-")[0],
    }
    if replying_to is not None:
        initial |= reply_initial(actor, replying_to)
    elif message_to is not None and message_to.pk != actor.pk:
        initial |= {"text": f"@{message_to.acct} ", "visibility": Visibility.DIRECT}
    source = request.session.pop(REDRAFT_SESSION_KEY, None) if redraft and request.method == "GET" else None
    if isinstance(source, dict):
        initial |= {key: value for key, value in source.items() if value not in (None, "", [])}
    kept_ids = request.POST.getlist("media_ids") if request.method == "POST" else initial.get("media_ids", [])
    return ComposeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        default_language=default_language,
        kept_media=_kept_media(actor, kept_ids if isinstance(kept_ids, list) else []),
    )


def _kept_media(actor: Actor, raw_ids: list[str]) -> list[MediaAttachment]:
    # Only the member's own uploads not attached to anything may be offered again; any other id is dropped, so the
    # form refuses it as a choice it did not offer.
    kept = []
    for raw in raw_ids[:MAX_ATTACHMENTS]:
        try:
            kept.append(access_own_unattached_media_by_id(actor, str(raw)))
        except MediaNotFound:
            continue
    return kept


def _refuse_message_to_nobody(form: ComposeForm, actor: Actor, replying_to: Status | None) -> None:
    # A direct post that names nobody reaches nobody: the member is told rather than left with a note to self.
    if form.cleaned_data["visibility"] != Visibility.DIRECT:
        return
    if replying_to is not None and replying_to.account_id != actor.pk:
        return
    if not [other for other in mentioned_actors(form.cleaned_data["text"]) if other.pk != actor.pk]:
        form.add_error("text", _("A direct message needs at least one @mention of the person it is for."))


def post_composed(actor: Actor, form: ComposeForm, replying_to: Status | None) -> datetime | bool:
    """Post (or schedule) a valid compose form through the timeline actions; return False if refused.

    Return the publication time of a scheduled post, True for a post
    published now; a refusal is added to the form's errors and stores nothing.
    """
    _refuse_message_to_nobody(form, actor, replying_to)
    moment: datetime | None = form.cleaned_data.get("scheduled_at")
    if moment is not None:
        with refusal_on_form(form, "scheduled_at"):
            check_scheduled_at(moment)
    if form.errors:
        return False
    options = form.poll_options()
    with refusal_on_form(form, "text"):
        uploads = [
            check_upload_media(actor, image, size=image.size or 0, description=description, focus=focus)
            for image, description, focus in form.images()
        ]
        draft = check_create_status(
            actor,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"],
            spoiler_text=form.cleaned_data["spoiler_text"],
            sensitive=form.cleaned_data["sensitive"],
            media_ids=form.cleaned_data["media_ids"] or None,
            language=form.cleaned_data["language"] or (actor.user.default_language if actor.user else ""),
            in_reply_to_id=replying_to.pk if replying_to is not None else None,
            poll_options=options or None,
            poll_multiple=form.cleaned_data["poll_multiple"],
            poll_expires_in=form.cleaned_data["poll_expires_in"] or 86_400,
        )
        described = check_media_edits(form.kept_attributes(), draft.media or [])
        # A kept image's new description is stored with the post, or not at all.
        with transaction.atomic():
            for edit in described:
                do_update_media(edit.media, description=edit.description, focus=edit.focus)
            if uploads:
                # The uploads are stored only once the post passed its checks, so a
                # refused post stores nothing; a new upload is the author's, ready
                # and unattached, which is all a draft's media must be (the form
                # already refused a poll beside them and more than four in all).
                draft = replace(draft, media=(draft.media or []) + [do_create_media(actor, item) for item in uploads])
            if moment is not None:
                return do_schedule_status(actor, draft, moment).scheduled_at
            do_create_status(actor, draft)
            return True
    return False


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the home timeline; on POST, post the composed status through the timeline actions."""
    actor = viewer_actor(request)
    if actor is None:
        return render(request, "frontend/no_account.html", status=403)
    replying_to = _reply_target(request, request.POST.get("in_reply_to") or request.GET.get("in_reply_to"))
    form = compose_form(request, actor, replying_to, _message_target(request.GET.get("message", "")))
    if request.method == "POST" and form.is_valid():
        posted = post_composed(actor, form, replying_to)
        if isinstance(posted, datetime):
            messages.success(request, _("Scheduled: it will be posted at the time you chose."))
            return redirect("frontend:scheduled")
        if posted:
            messages.success(request, _("Posted."))
            return redirect("frontend:home")
    posting_refusal = account_posting_refusal(actor)
    in_place = request.method == "GET" and request.headers.get("HX-Request") == "true"
    if replying_to is not None and in_place and not posting_refusal:
        # A reply opened in place under its post keeps only the form: the timeline is neither read nor rendered.
        reply = {"form": form, "replying_to": reply_preview(replying_to, actor)}
        return render(request, "frontend/includes/compose.html", reply, status=400 if form.errors else 200)

    def read(max_id: int | None, limit: int) -> list[Status]:
        return home_timeline_for(actor, limit=limit, max_id=max_id)

    context = {
        "form": form,
        "actor": actor,
        # An applicant, or a member whose posting is paused, is told why instead of being shown a form that fails.
        "posting_refusal": posting_refusal,
        # A browser cannot keep a chosen file across a refused post, so the member is told to choose it again.
        "image_dropped": bool(form.errors and request.FILES),
        "replying_to": reply_preview(replying_to, actor),
        **filled_page_context(read, actor, context="home", max_id=requested_max_id(request)),
    }
    return render(request, "frontend/home.html", context, status=400 if form.errors else 200)


def reply_preview(replying_to: Status | None, actor: Actor) -> PostView | None:
    """Return the post being replied to as the post template shows it, for the quote above the form."""
    if replying_to is None:
        return None
    return post_views([replying_to], actor)[0]
