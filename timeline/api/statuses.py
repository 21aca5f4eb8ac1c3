"""The client API's statuses resource: post, read, edit, delete, and the thread around a status."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from config.api.timestamps import iso_with_millis
from federation.models import Actor
from timeline.access import StatusNotFound, access_status_by_id
from timeline.actions.media import check_media_edits
from timeline.actions.scheduled_statuses import do_schedule_status
from timeline.actions.statuses import (
    IdempotencyKeyTaken,
    check_create_status,
    check_delete_status,
    check_edit_status,
    check_idempotency_key,
    do_create_status,
    do_delete_status,
    do_edit_status,
    earlier_post_for_key,
)
from timeline.api.scheduled_statuses import checked_scheduled_at, scheduled_status_entity
from timeline.entities.accounts import account_entity
from timeline.entities.emojis import emoji_entities, shortcodes_in
from timeline.entities.statuses import status_entities, status_entity
from timeline.filtering import without_hidden
from timeline.models import StatusEdit
from timeline.selectors import thread_for
from timeline.streaming.events import offer_rendered_status


def _default(author: Actor, name: str, fallback: Any) -> Any:
    """Return one of the author's posting defaults, used when the client leaves the field out."""
    return getattr(author.user, name) if author.user is not None else fallback


def status_id_from_path(raw: str) -> int:
    """Return the numeric id in a path, or raise StatusNotFound for anything else."""
    if not raw.isdigit():
        raise StatusNotFound("Record not found")
    return int(raw)


def _earlier_post_entity(author: Actor, key: str) -> dict[str, Any] | None:
    """Return the entity of the post the author made with this key within the hour, or None if there is none.

    As in Mastodon, the first post is answered whatever the repeated request
    holds; a post since deleted answers 404 rather than being made again.
    """
    earlier = earlier_post_for_key(author, key)
    if earlier is None:
        return None
    if earlier.status is not None:
        return status_entity(earlier.status, author)
    if earlier.scheduled_status is not None:
        return scheduled_status_entity(earlier.scheduled_status)
    raise ApiError("Record not found", 404)


@csrf_exempt
@api_view("POST")
@require_token("write:statuses")
def create_status(request: HttpRequest) -> JsonResponse:
    """Post a status, or schedule it (`scheduled_at`); a repeated Idempotency-Key returns the first one.

    The entity is built inside the post's transaction: once the commit
    succeeds the answer is in memory, and no read after it (which a database
    dropping at that moment would fail) can turn a stored post into an error
    that invites a retry.
    """
    author = required_actor(request)
    key = check_idempotency_key(request.headers.get("Idempotency-Key", ""))
    if key is not None and (earlier := _earlier_post_entity(author, key)) is not None:
        return JsonResponse(earlier)
    params = ApiParams.from_request(request)
    reply_to = params.get_str("in_reply_to_id").strip()
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
        idempotency_key=key or "",
    )
    if reply_to and not reply_to.isdigit():
        raise ApiError("The status you reply to does not exist or is not visible to you.", 422)
    scheduled_at = (
        checked_scheduled_at(params.get_str("scheduled_at")) if params.get_str("scheduled_at").strip() else None
    )
    try:
        with transaction.atomic():
            if scheduled_at is not None:
                body = scheduled_status_entity(do_schedule_status(author, draft, scheduled_at))
            else:
                status = do_create_status(author, draft)
                body = status_entity(status, author)
                offer_rendered_status(status.pk, body)
    except IdempotencyKeyTaken:
        # A concurrent request with the same key committed first: answer its post.
        if key is None or (earlier := _earlier_post_entity(author, key)) is None:
            raise
        return JsonResponse(earlier)
    return JsonResponse(body)


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
    attributes = params.get_dicts("media_attributes")
    media_edits = check_media_edits(
        [attributes[key] for key in sorted(attributes, key=lambda key: (len(key), key))],
        draft.media if draft.media is not None else list(status.media.all()),
    )
    return JsonResponse(status_entity(do_edit_status(actor, status, draft, media_edits=media_edits), actor))


@require_token("write:statuses")
def delete_status(request: HttpRequest, status_id: str) -> HttpResponse:
    """Delete one's own status and return it with its source text, for redrafting."""
    actor = required_actor(request)
    status = access_status_by_id(actor, status_id_from_path(status_id))
    check_delete_status(actor, status)
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
    domain = status.account.domain
    emojis = emoji_entities(
        {
            index: (domain, shortcodes_in([edit.content, edit.spoiler_text, *map(str, edit.poll_options)]))
            for index, edit in enumerate(edits)
        }
    )
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
                "emojis": emojis[index],
            }
            for index, edit in enumerate(edits)
        ],
        safe=False,
    )
