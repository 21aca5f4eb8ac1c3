"""Scheduled posts: the member's posts waiting for their time, to cancel or move, as the client API's resource allows.

Cancelling and moving call the same actions as `PUT`/`DELETE
/api/v1/scheduled_statuses/:id`, so the same five-minute rule applies.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from config.web_refusals import refusal_as_message
from frontend.languages import language_name
from frontend.viewer import viewer_actor
from frontend.views.home import DATETIME_LOCAL_FORMAT, LocalDateTimeField, device_zone_field, read_device_zone
from frontend.views.social import PAGE_SIZE
from timeline.access import access_scheduled_status_by_id
from timeline.actions.scheduled_statuses import check_scheduled_at, do_cancel_scheduled_status, do_reschedule_status
from timeline.models import Visibility
from timeline.selectors import scheduled_statuses_for


class RescheduleForm(forms.Form):
    """The new publication time of a scheduled post, in the member's time zone or their device's."""

    scheduled_at = LocalDateTimeField(
        label=_("New time"),
        # The page's hint names the zone the time is in.
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "aria-describedby": "scheduled-zone"}, format=DATETIME_LOCAL_FORMAT
        ),
    )
    device_time_zone = device_zone_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        read_device_zone(self)


@login_required
@require_GET
def scheduled(request: HttpRequest) -> HttpResponse:
    """List the member's scheduled posts, the soonest first, each with a form to move it and one to cancel it."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    found = list(scheduled_statuses_for(viewer).order_by("scheduled_at", "pk")[:PAGE_SIZE])
    rows = [
        {
            "scheduled": item,
            "visibility": Visibility(str(item.params.get("visibility") or Visibility.PUBLIC)).label,
            "language": language_name(str(item.params.get("language") or "")),
            "form": RescheduleForm(initial={"scheduled_at": item.scheduled_at}, prefix=f"s{item.pk}"),
        }
        for item in found
    ]
    return render(request, "frontend/scheduled.html", {"rows": rows})


@login_required
@require_POST
def reschedule(request: HttpRequest, scheduled_id: int) -> HttpResponseBase:
    """Move a scheduled post to another time, at least five minutes ahead, typed in the member's or device's zone."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    item = access_scheduled_status_by_id(viewer, scheduled_id)
    form = RescheduleForm(request.POST, prefix=f"s{item.pk}")
    if not form.is_valid():
        if form.has_error("scheduled_at", "device_zone"):
            messages.error(request, str(form.errors["scheduled_at"][0]))
        else:
            messages.error(request, _("Give the new date and time as the field asks."))
        return redirect("frontend:scheduled")
    with refusal_as_message(request):
        do_reschedule_status(item, check_scheduled_at(form.cleaned_data["scheduled_at"]))
        messages.success(request, _("The post will be published at its new time."))
    return redirect("frontend:scheduled")


@login_required
@require_POST
def cancel_scheduled(request: HttpRequest, scheduled_id: int) -> HttpResponseBase:
    """Cancel a scheduled post: it is deleted and never published."""
    viewer = viewer_actor(request)
    if viewer is None:
        return render(request, "frontend/no_account.html", status=403)
    do_cancel_scheduled_status(access_scheduled_status_by_id(viewer, scheduled_id))
    messages.success(request, _("The scheduled post was cancelled."))
    return redirect("frontend:scheduled")
