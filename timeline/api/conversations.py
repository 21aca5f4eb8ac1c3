"""The client API's conversations: direct statuses grouped by the people they are between."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from federation.models import Actor
from timeline.access import access_conversation_by_id, visible_statuses
from timeline.actions.conversations import do_mark_conversation_read, do_remove_conversation
from timeline.entities.accounts import account_entities
from timeline.entities.statuses import status_entities
from timeline.models import Conversation
from timeline.selectors import conversations_for


def conversation_entities(conversations: list[Conversation], viewer: Actor) -> list[dict[str, Any]]:
    """Return Conversation entities, with accounts and last statuses built in batches."""
    participants = {item.pk: list(item.participants.all()) for item in conversations}
    everyone = {actor.pk: actor for group in participants.values() for actor in group}
    accounts = dict(zip(everyone, account_entities(list(everyone.values())), strict=True))
    shown = visible_statuses(viewer, [item.last_status for item in conversations])
    statuses = {entity["id"]: entity for entity in status_entities(shown, viewer)}
    return [
        {
            "id": str(item.pk),
            "unread": item.unread,
            "accounts": [accounts[actor.pk] for actor in participants[item.pk]],
            "last_status": statuses.get(str(item.last_status_id)),
        }
        for item in conversations
    ]


@api_view("GET")
@require_token("read:statuses")
def conversations(request: HttpRequest) -> JsonResponse:
    """Return the token owner's conversations, the most recently active first, paged by last status."""
    owner = required_actor(request)
    page = paginate(
        conversations_for(owner), PageRequest.from_request(request, default=20, maximum=40), field="last_status_id"
    )
    return paginated_response(request, conversation_entities(page, owner), [item.last_status_id for item in page])


@csrf_exempt
@api_view("DELETE")
@require_token("write:conversations")
def conversation_resource(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """Remove a conversation from the token owner's list; answer an empty object."""
    do_remove_conversation(access_conversation_by_id(required_actor(request), conversation_id))
    return JsonResponse({})


@csrf_exempt
@api_view("POST")
@require_token("write:conversations")
def read_conversation(request: HttpRequest, conversation_id: str) -> JsonResponse:
    """Mark a conversation as read; answer the conversation."""
    owner = required_actor(request)
    conversation = do_mark_conversation_read(access_conversation_by_id(owner, conversation_id))
    return JsonResponse(conversation_entities([conversation], owner)[0])
