"""Personal and shared inboxes: verify, store, answer 202; processing happens in a worker."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from federation.access import access_local_actor_by_username
from federation.actions.inbox import MAX_BODY_BYTES, InboxRequest, check_inbox_request, do_store_inbox_item
from federation.errors import ActivityRefused
from federation.models import Actor


def _receive(request: HttpRequest, recipient: Actor | None = None) -> HttpResponse:
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return JsonResponse({"error": f"The activity is larger than {MAX_BODY_BYTES} bytes."}, status=413)
    try:
        verified = check_inbox_request(
            InboxRequest(
                method=request.method or "POST",
                path=request.get_full_path(),
                headers=request.headers,
                body=request.body,
            )
        )
    except ActivityRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    if verified is not None:
        do_store_inbox_item(verified, recipient)
    return HttpResponse(status=202)


@csrf_exempt
@require_POST
def shared_inbox(request: HttpRequest) -> HttpResponse:
    """Accept an activity for any local actor."""
    return _receive(request)


@csrf_exempt
@require_POST
def personal_inbox(request: HttpRequest, username: str) -> HttpResponse:
    """Accept an activity delivered to one local actor, who is recorded as a recipient of it.

    A server that hides its followers collection can only say who may read
    a followers-only post by the personal inboxes it delivers it to.
    """
    return _receive(request, access_local_actor_by_username(username))
