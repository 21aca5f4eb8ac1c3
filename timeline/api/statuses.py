"""The client API's statuses resource: post, read, edit, delete, and the thread around a status."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.models import Actor
from members.api.auth import optional_token, require_token, required_actor, token_actor
from members.api.entities import account_entity, iso_with_millis
from timeline.access import StatusNotFound, access_status_by_id
from timeline.actions.media import check_media_edits
from timeline.actions.scheduled_statuses import do_schedule_status
from timeline.actions.statuses import (
    check_create_status,
    check_delete_status,
    check_edit_status,
    do_create_status,
    do_delete_status,
    do_edit_status,
)
from timeline.api.entities import status_entities, status_entity
from timeline.api.scheduled_statuses import checked_scheduled_at, scheduled_status_entity
from timeline.errors import StatusRefused
from timeline.filtering import without_hidden
from timeline.imaging import MediaRejected
from timeline.models import Status, StatusEdit
from timeline.selectors import thread_for

IDEMPOTENCY_SECONDS = 60 * 60


def _default(author: Actor, name: str, fallback: Any) -> Any:
    """Return one of the author's posting defaults, used when the client leaves the field out."""
    return getattr(author.user, name) if author.user is not None else fallback


def status_id_from_path(raw: str) -> int:
    """Return the numeric id in a path, or raise StatusNotFound for anything else."""
    if not raw.isdigit():
        raise StatusNotFound("Record not found")
    return int(raw)


def _idempotency_key(request: HttpRequest, author: Actor) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    return f"idempotency:status:{author.pk}:{key[:200]}" if key else None


@csrf_exempt
@api_view("POST")
@require_token("write:statuses")
def create_status(request: HttpRequest) -> JsonResponse:
    """Post a status, or schedule it (`scheduled_at`); a repeated Idempotency-Key returns the first one."""
    author = required_actor(request)
    key = _idempotency_key(request, author)
    if key is not None:
        earlier = cache.get(key)
        if earlier is not None and (status := Status.objects.filter(pk=earlier, account=author).first()) is not None:
            return JsonResponse(status_entity(status, author))
    params = ApiParams.from_request(request)
    reply_to = params.get_str("in_reply_to_id").strip()
    try:
        draft = check_create_status(
            author,
            text=params.get_str("status"),
            visibility=params.get_str("visibility") or _default(author, "default_visibility", "public"),
            spoiler_text=params.get_str("spoiler_text"),
            sensitive=params.get_bool("sensitive")
            if "sensitive" in params
            else _default(author, "default_sensitive", False),
            language=params.get_str("language") or _default(author, "default_language", ""),
            in_reply_to_id=int(reply_to) if reply_to.isdigit() else None,
            poll_options=params.get_list("poll[options]"),
            poll_multiple=params.get_bool("poll[multiple]"),
            poll_expires_in=params.get_int("poll[expires_in]", 86_400) or 0,
            media_ids=params.get_list("media_ids"),
        )
    except StatusRefused as exc:
        raise ApiError(str(exc), 422) from None
    if reply_to and not reply_to.isdigit():
        raise ApiError("The status you reply to does not exist or is not visible to you.", 422)
    if params.get_str("scheduled_at").strip():
        scheduled = do_schedule_status(author, draft, checked_scheduled_at(params.get_str("scheduled_at")))
        return JsonResponse(scheduled_status_entity(scheduled))
    status = do_create_status(author, draft)
    if key is not None:
        cache.set(key, status.pk, timeout=IDEMPOTENCY_SECONDS)
    return JsonResponse(status_entity(status, author))


@csrf_exempt
@api_view("GET", "PUT", "DELETE")
def status_resource(request: HttpRequest, status_id: str) -> HttpResponse:
    """Return a status (GET), edit it (PUT) or delete it (DELETE)."""
    if request.method == "PUT":
        return edit_status(request, status_id)
    if request.method == "DELETE":
        return delete_status(request, status_id)
    return show_status(request, status_id)


@optional_token("read:statuses")
def show_status(request: HttpRequest, status_id: str) -> HttpResponse:
    """Return a status if the viewer may see it; 404 otherwise, whatever the reason."""
    viewer = token_actor(request)
    return JsonResponse(status_entity(access_status_by_id(viewer, status_id_from_path(status_id)), viewer))


@require_token("write:statuses")
def edit_status(request: HttpRequest, status_id: str) -> HttpResponse:
    """Replace the text and warnings of one's own status."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    params = ApiParams.from_request(request)
    try:
        draft = check_edit_status(
            actor,
            status,
            text=params.get_str("status"),
            spoiler_text=params.get_str("spoiler_text"),
            sensitive=params.get_bool("sensitive"),
            language=params.get_str("language"),
            # As in Mastodon, an edit lists the attachments it keeps; none listed removes them.
            media_ids=params.get_list("media_ids"),
        )
    except StatusRefused as exc:
        raise ApiError(str(exc), 403 if status.account_id != actor.pk else 422) from None
    attributes = params.get_dicts("media_attributes")
    try:
        media_edits = check_media_edits(
            [attributes[key] for key in sorted(attributes, key=lambda key: (len(key), key))],
            draft.media if draft.media is not None else list(status.media.all()),
        )
    except MediaRejected as exc:
        raise ApiError(str(exc), 422) from None
    return JsonResponse(status_entity(do_edit_status(actor, status, draft, media_edits=media_edits), actor))


@require_token("write:statuses")
def delete_status(request: HttpRequest, status_id: str) -> HttpResponse:
    """Delete one's own status and return it with its source text, for redrafting."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    try:
        check_delete_status(actor, status)
    except StatusRefused as exc:
        raise ApiError(str(exc), 403) from None
    body = status_entity(status, actor)
    body["text"] = status.text
    do_delete_status(actor, status)
    return JsonResponse(body)


@api_view("GET")
@require_token("read:statuses")
def status_source(request: HttpRequest, status_id: str) -> JsonResponse:
    """Return the plain text of one's own status, for the edit form."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    if status.account_id != actor.pk:
        raise ApiError("This action is not allowed", 403)
    return JsonResponse({"id": str(status.pk), "text": status.text, "spoiler_text": status.spoiler_text})


@api_view("GET")
@optional_token("read:statuses")
def status_context(request: HttpRequest, status_id: str) -> JsonResponse:
    """Return the ancestors and descendants of a status that the viewer may see."""
    viewer = token_actor(request)
    status = access_status_by_id(viewer, status_id_from_path(status_id))
    ancestors, descendants = thread_for(viewer, status)
    return JsonResponse(
        {
            "ancestors": without_hidden(status_entities(ancestors, viewer, context="thread")),
            "descendants": without_hidden(status_entities(descendants, viewer, context="thread")),
        }
    )


@api_view("GET")
@optional_token("read:statuses")
def status_history(request: HttpRequest, status_id: str) -> JsonResponse:
    """Return the versions of a visible status, oldest first; an unedited status has its one version."""
    viewer = token_actor(request)
    status = access_status_by_id(viewer, status_id_from_path(status_id))
    account = account_entity(status.account)
    edits = list(StatusEdit.objects.filter(status=status).order_by("created_at", "pk"))
    if not edits:
        edits = [
            StatusEdit(
                status=status,
                text=status.text,
                content=status.content,
                spoiler_text=status.spoiler_text,
                sensitive=status.sensitive,
                created_at=status.created_at,
            )
        ]
    return JsonResponse(
        [
            {
                "content": edit.content,
                "spoiler_text": edit.spoiler_text,
                "sensitive": edit.sensitive,
                "created_at": iso_with_millis(edit.created_at),
                "account": account,
                "poll": {"options": [{"title": title} for title in edit.poll_options]} if edit.poll_options else None,
                "media_attachments": [],
                "emojis": [],
            }
            for edit in edits
        ],
        safe=False,
    )
