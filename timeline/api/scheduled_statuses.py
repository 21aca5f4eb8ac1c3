"""The client API's scheduled statuses: list, show, reschedule and cancel (creation is a status with a date)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import ApiError, api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from config.api.timestamps import iso_with_millis
from timeline.access import access_scheduled_status_by_id
from timeline.actions.scheduled_statuses import check_scheduled_at, do_cancel_scheduled_status, do_reschedule_status
from timeline.entities.statuses import media_entity
from timeline.models import MediaAttachment, ScheduledStatus
from timeline.selectors import scheduled_statuses_for


def parse_scheduled_at(raw: str) -> datetime:
    """Return the moment a client asked for (UTC if it gave no offset), or raise a 422 ApiError."""
    moment = parse_datetime(raw.strip()) if raw.strip() else None
    if moment is None:
        raise ApiError("Validation failed: scheduled_at must be an ISO 8601 date and time", 422)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def checked_scheduled_at(raw: str) -> datetime:
    """Return the parsed moment if it is at least five minutes ahead, else raise ValidationFailed."""
    return check_scheduled_at(parse_scheduled_at(raw))


def scheduled_status_entity(scheduled: ScheduledStatus) -> dict[str, Any]:
    """Return a ScheduledStatus entity."""
    params = {
        "text": None,
        "poll": None,
        "media_ids": None,
        "sensitive": None,
        "spoiler_text": None,
        "visibility": None,
        "in_reply_to_id": None,
        "language": None,
        "application_id": None,
        "scheduled_at": None,
        "idempotency": None,
        "with_rate_limit": False,
        **scheduled.params,
    }
    return {
        "id": str(scheduled.pk),
        "scheduled_at": iso_with_millis(scheduled.scheduled_at),
        "params": params,
        "media_attachments": [
            media_entity(media)
            for media in sorted(
                MediaAttachment.objects.filter(pk__in=scheduled.media_ids or []),
                key=lambda media: (scheduled.media_ids or []).index(media.pk),
            )
        ],
    }


@api_view("GET")
@require_token("read:statuses")
def scheduled_statuses(request: HttpRequest) -> JsonResponse:
    """Return the token owner's statuses waiting to be published, newest first, paged by id."""
    owner = required_actor(request)
    page = paginate(
        scheduled_statuses_for(owner),
        PageRequest.from_request(request, default=20, maximum=40),
    )
    return paginated_response(request, [scheduled_status_entity(item) for item in page], [item.pk for item in page])


@csrf_exempt
@api_view("GET", "PUT", "DELETE")
def scheduled_status_resource(request: HttpRequest, scheduled_id: str) -> HttpResponse:
    """Return (GET), reschedule (PUT) or cancel (DELETE) one of the token owner's scheduled statuses."""
    if request.method == "GET":
        return show_scheduled_status(request, scheduled_id)
    return change_scheduled_status(request, scheduled_id)


@require_token("read:statuses")
def show_scheduled_status(request: HttpRequest, scheduled_id: str) -> JsonResponse:
    """Return one scheduled status."""
    return JsonResponse(scheduled_status_entity(access_scheduled_status_by_id(required_actor(request), scheduled_id)))


@require_token("write:statuses")
def change_scheduled_status(request: HttpRequest, scheduled_id: str) -> JsonResponse:
    """Move a scheduled status to another time (PUT `scheduled_at`) or cancel it (DELETE)."""
    scheduled = access_scheduled_status_by_id(required_actor(request), scheduled_id)
    if request.method == "DELETE":
        do_cancel_scheduled_status(scheduled)
        return JsonResponse({})
    moment = checked_scheduled_at(ApiParams.from_request(request).get_str("scheduled_at"))
    return JsonResponse(scheduled_status_entity(do_reschedule_status(scheduled, moment)))
