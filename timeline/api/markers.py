"""The client API's markers: the read positions of the home and notifications timelines."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from config.api.timestamps import iso_with_millis
from timeline.actions.markers import check_save_marker, do_save_marker
from timeline.models import Marker


def marker_entity(marker: Marker) -> dict[str, Any]:
    """Return a Marker entity."""
    return {
        "last_read_id": marker.last_read_id,
        "version": marker.version,
        "updated_at": iso_with_millis(marker.updated_at),
    }


@csrf_exempt
@api_view("GET", "POST")
def markers(request: HttpRequest) -> HttpResponse:
    """Return the asked timelines' markers (GET) or save new positions (POST)."""
    if request.method == "POST":
        return save_markers(request)
    return show_markers(request)


@require_token("read:statuses")
def show_markers(request: HttpRequest) -> JsonResponse:
    """Return the markers of the timelines in `timeline[]`; timelines without one are left out."""
    owner = required_actor(request)
    wanted = ApiParams.from_request(request).get_list("timeline")
    found = Marker.objects.filter(account=owner, timeline__in=wanted)
    return JsonResponse({marker.timeline: marker_entity(marker) for marker in found})


@require_token("write:statuses")
def save_markers(request: HttpRequest) -> JsonResponse:
    """Save `home[last_read_id]` and/or `notifications[last_read_id]`; answer the saved markers."""
    owner = required_actor(request)
    params = ApiParams.from_request(request)
    given = {
        timeline: params.get_str(f"{timeline}[last_read_id]")
        for timeline in Marker.Timeline.values
        if f"{timeline}[last_read_id]" in params
    }
    for timeline, last_read_id in given.items():
        check_save_marker(timeline, last_read_id)
    saved = {timeline: do_save_marker(owner, timeline, last_read_id) for timeline, last_read_id in given.items()}
    return JsonResponse({timeline: marker_entity(marker) for timeline, marker in saved.items()})
