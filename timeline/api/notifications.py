"""The client API's notifications resource, reading side: the list, one notification, the unread count."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from federation.models import Actor
from timeline.access import access_notification_by_id
from timeline.actions.notifications import do_clear_notifications, do_dismiss_notification
from timeline.entities.notifications import notification_entities
from timeline.filtering import is_hidden
from timeline.models import Notification
from timeline.selectors import notifications_for

MAX_UNREAD_COUNT = 1000


class NotificationNotFound(Http404):
    """No notification of the token owner has that id."""


def _filtered(viewer: Actor, params: ApiParams) -> QuerySet[Notification]:
    notifications = notifications_for(viewer)
    types = params.get_list("types")
    if types:
        notifications = notifications.filter(type__in=types)
    excluded = params.get_list("exclude_types")
    if excluded:
        notifications = notifications.exclude(type__in=excluded)
    account_id = params.get_str("account_id").strip()
    if account_id.isdigit():
        notifications = notifications.filter(from_account_id=int(account_id))
    return notifications


@api_view("GET")
@require_token("read:notifications")
def notifications(request: HttpRequest) -> JsonResponse:
    """Return the token owner's notifications, newest first, filtered by `types[]` and `exclude_types[]`."""
    viewer = required_actor(request)
    queryset = _filtered(viewer, ApiParams.from_request(request))
    page = paginate(queryset, PageRequest.from_request(request, default=40, maximum=80))
    # A notification about a status a `hide` filter matches is left out, as Mastodon leaves it out.
    entities = [
        entity
        for entity in notification_entities(page, viewer)
        if entity["status"] is None or not is_hidden(entity["status"]["filtered"])
    ]
    return paginated_response(request, entities, [n.pk for n in page])


@api_view("GET")
@require_token("read:notifications")
def notification_detail(request: HttpRequest, notification_id: str) -> JsonResponse:
    """Return one of the token owner's notifications."""
    viewer = required_actor(request)
    notification = (
        Notification.objects.filter(recipient=viewer, pk=int(notification_id))
        .select_related("from_account", "status__account")
        .first()
        if notification_id.isdigit()
        else None
    )
    if notification is None:
        raise NotificationNotFound("Record not found")
    return JsonResponse(notification_entities([notification], viewer)[0])


@api_view("GET")
@require_token("read:notifications")
def unread_count(request: HttpRequest) -> JsonResponse:
    """Return how many notifications are unread (capped, as Mastodon caps it)."""
    viewer = required_actor(request)
    unread = _filtered(viewer, ApiParams.from_request(request)).filter(read=False)
    return JsonResponse({"count": unread[:MAX_UNREAD_COUNT].count()})


@csrf_exempt
@api_view("POST")
@require_token("write:notifications")
def dismiss(request: HttpRequest, notification_id: str) -> JsonResponse:
    """Delete one of the token owner's notifications; answer an empty object."""
    viewer = required_actor(request)
    do_dismiss_notification(viewer, access_notification_by_id(viewer, notification_id))
    return JsonResponse({})


@csrf_exempt
@api_view("POST")
@require_token("write:notifications")
def clear(request: HttpRequest) -> JsonResponse:
    """Delete all of the token owner's notifications; answer an empty object."""
    do_clear_notifications(required_actor(request))
    return JsonResponse({})
