"""The client API's media resource: upload, read back while processing, describe and set the focal point."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from timeline.access import access_own_unattached_media_by_id, access_remote_media_by_id
from timeline.actions.media import check_update_media, check_upload_media, do_create_media, do_update_media
from timeline.actions.remote_media import do_cache_remote_attachment
from timeline.entities.statuses import media_entity
from timeline.errors import RemoteMediaUnavailable
from timeline.models import MediaAttachment


def _upload(request: HttpRequest, *, allow_deferred: bool) -> JsonResponse:
    account = required_actor(request)
    params = ApiParams.from_request(request)
    upload = params.get_file("file")
    draft = check_upload_media(
        account,
        upload,
        size=(upload.size or 0) if upload is not None else 0,
        description=params.get_str("description"),
        focus=params.get_str("focus"),
    )
    media = do_create_media(account, draft, allow_deferred=allow_deferred)
    processing = media.state == MediaAttachment.State.PROCESSING
    return JsonResponse(media_entity(media), status=202 if processing else 200)


@csrf_exempt
@api_view("POST")
@require_token("write:media")
def upload_media_v1(request: HttpRequest) -> JsonResponse:
    """Upload a file and process it before answering (Mastodon's first media endpoint)."""
    return _upload(request, allow_deferred=False)


@csrf_exempt
@api_view("POST")
@require_token("write:media")
def upload_media_v2(request: HttpRequest) -> JsonResponse:
    """Upload a file: 200 when processed at once, 202 with a null url while a worker finishes it."""
    return _upload(request, allow_deferred=True)


@csrf_exempt
@api_view("GET", "PUT")
@require_token("write:media")
def media_resource(request: HttpRequest, media_id: str) -> JsonResponse:
    """Return an unattached upload (206 while processing), or change its description and focal point (PUT)."""
    account = required_actor(request)
    media = access_own_unattached_media_by_id(account, media_id)
    if request.method == "PUT":
        params = ApiParams.from_request(request)
        description, focus = check_update_media(
            account,
            media,
            description=params.get_optional_str("description"),
            focus=params.get_optional_str("focus"),
        )
        media = do_update_media(media, description=description, focus=focus)
    if media.state == MediaAttachment.State.FAILED:
        raise ApiError("Error processing the uploaded file", 422)
    status = 206 if media.state == MediaAttachment.State.PROCESSING and request.method == "GET" else 200
    return JsonResponse(media_entity(media), status=status)


@api_view("GET")
def media_proxy(request: HttpRequest, media_id: str, variant: str) -> HttpResponseRedirect:
    """Redirect to this server's copy of a remote attachment, copying it first if needed (Mastodon's media proxy).

    A file that cannot be copied answers 404: the client is never sent to
    the remote host.
    """
    if variant not in ("original", "small"):
        raise RemoteMediaUnavailable("Record not found")
    media = access_remote_media_by_id(media_id)
    if not media.file and not do_cache_remote_attachment(media.pk):
        raise RemoteMediaUnavailable("Record not found")
    media.refresh_from_db(fields=["file", "thumbnail"])
    stored = media.thumbnail if variant == "small" and media.thumbnail else media.file
    return HttpResponseRedirect(stored.url)
