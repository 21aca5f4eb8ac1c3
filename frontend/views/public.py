"""Public pages: the co-op's landing page, profiles and statuses."""

from __future__ import annotations

import re
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from federation.access import access_local_actor_by_username
from federation.negotiation import activity_response, gone_document, wants_activity_json
from federation.renderers import person_for_actor
from federation.selectors import erased_local_actor
from federation.uris import status_uri
from frontend.posts import post_views
from frontend.viewer import viewer_actor
from frontend.views.social import account_card_context, filled_page_context, profile_reader, requested_max_id
from governance.selectors import current_charter, rules_in_force
from members.models import User
from timeline.access import access_local_status_by_author
from timeline.activitypub.renderers import note_for_status
from timeline.models import Status

_LIST_ITEM = re.compile(r"^([-*]|\d+[.)])\s")


def paragraphs(text: str) -> list[list[str]]:
    """Split hard-wrapped text into paragraphs at blank lines, rejoining the lines wrapped inside each.

    A line that opens a list item (``-``, ``*`` or ``1.``) stays a line of
    its own, so a list keeps its items; each paragraph is a list of lines.
    """
    result = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for raw in block.splitlines():
            line = raw.strip()
            if lines and not _LIST_ITEM.match(line):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        if lines:
            result.append(lines)
    return result


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Show what the co-op is, its charter and rules, and how to join."""
    charter = current_charter()
    context = {
        "charter": charter,
        "charter_paragraphs": paragraphs(charter.text) if charter is not None else [],
        "rules": rules_in_force(),
        "member_count": User.objects.filter(is_active=True, actor__isnull=False).count(),
        "status_count": Status.objects.filter(local=True).count(),
    }
    return render(request, "frontend/landing.html", context)


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    """Show a local profile; serve the actor document to ActivityPub clients.

    An erased account answers 410 Gone; a moved one names its new address.
    """
    erased = erased_local_actor(username)
    if erased is not None and erased.deleted_at is not None:
        return _gone(request, erased.uri, erased.kind, erased.deleted_at)
    actor = access_local_actor_by_username(username)
    if wants_activity_json(request):
        return activity_response(person_for_actor(actor).to_json())
    viewer = viewer_actor(request)
    context = {
        "actor": actor,
        **filled_page_context(
            profile_reader(actor, viewer), viewer, context="account", max_id=requested_max_id(request)
        ),
        **account_card_context(viewer, actor),
    }
    return render(request, "frontend/profile.html", context)


@require_GET
def status_detail(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    """Show a status; serve the Note to ActivityPub clients (410 Gone if its account was erased)."""
    erased = erased_local_actor(username)
    if erased is not None and erased.deleted_at is not None:
        return _gone(request, status_uri(erased.username, status_id), "Note", erased.deleted_at)
    if wants_activity_json(request):
        status = access_local_status_by_author(None, username, status_id)
        return activity_response(note_for_status(status).to_json())
    viewer = viewer_actor(request)
    status = access_local_status_by_author(viewer, username, status_id)
    return render(request, "frontend/status.html", {"status": status, "post": post_views([status], viewer)[0]})


def _gone(request: HttpRequest, uri: str, former_type: str, deleted: datetime) -> HttpResponse:
    if wants_activity_json(request):
        return gone_document(uri, former_type, deleted)
    return render(request, "frontend/gone.html", {"deleted": deleted}, status=410)
