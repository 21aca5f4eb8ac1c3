"""The client API's relationship endpoints: follow, unfollow, block, unblock, follow requests, blocks.

Each endpoint parses its input, calls the one timeline action for it and
answers with the Relationship entity, as Mastodon does.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from federation.access import access_account_by_id
from federation.models import Actor
from timeline.actions.blocks import check_block, do_block, do_unblock
from timeline.actions.follows import (
    check_answer_follow_request,
    check_follow,
    do_accept_follow_request,
    do_follow,
    do_reject_follow_request,
    do_remove_follower,
    do_unfollow,
)
from timeline.entities.accounts import account_entities, relationship_entities
from timeline.models import Block, Follow


def _relationship(viewer: Actor, target: Actor) -> JsonResponse:
    return JsonResponse(relationship_entities(viewer, [target])[0])


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def follow(request: HttpRequest, account_id: str) -> JsonResponse:
    """Follow an account (a request if it is locked or remote) and return the relationship."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    check_follow(viewer, target)
    do_follow(viewer, target)
    return _relationship(viewer, target)


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def unfollow(request: HttpRequest, account_id: str) -> JsonResponse:
    """Stop following an account, or withdraw a pending request."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    do_unfollow(viewer, target)
    return _relationship(viewer, target)


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def remove_from_followers(request: HttpRequest, account_id: str) -> JsonResponse:
    """Make an account stop following the token owner."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    do_remove_follower(viewer, target)
    return _relationship(viewer, target)


@csrf_exempt
@api_view("POST")
@require_token("write:blocks")
def block(request: HttpRequest, account_id: str) -> JsonResponse:
    """Block an account: follows both ways end."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    check_block(viewer, target)
    do_block(viewer, target)
    return _relationship(viewer, target)


@csrf_exempt
@api_view("POST")
@require_token("write:blocks")
def unblock(request: HttpRequest, account_id: str) -> JsonResponse:
    """Lift a block."""
    viewer = required_actor(request)
    target = access_account_by_id(account_id)
    do_unblock(viewer, target)
    return _relationship(viewer, target)


@api_view("GET")
@require_token("read:follows")
def follow_requests(request: HttpRequest) -> JsonResponse:
    """Return the accounts asking to follow the token owner, newest first, paged by request."""
    viewer = required_actor(request)
    pending = Follow.objects.filter(target=viewer, state=Follow.State.PENDING).select_related("follower")
    page = paginate(pending, PageRequest.from_request(request, default=40, maximum=80))
    return paginated_response(request, account_entities([item.follower for item in page]), [item.pk for item in page])


def _pending_follower(request: HttpRequest, account_id: str) -> tuple[Actor, Actor]:
    viewer = required_actor(request)
    follower = access_account_by_id(account_id)
    check_answer_follow_request(viewer, follower)
    return viewer, follower


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def authorize_follow_request(request: HttpRequest, account_id: str) -> JsonResponse:
    """Accept an account's pending follow request."""
    viewer, follower = _pending_follower(request, account_id)
    do_accept_follow_request(viewer, follower)
    return _relationship(viewer, follower)


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def reject_follow_request(request: HttpRequest, account_id: str) -> JsonResponse:
    """Refuse an account's pending follow request."""
    viewer, follower = _pending_follower(request, account_id)
    do_reject_follow_request(viewer, follower)
    return _relationship(viewer, follower)


@api_view("GET")
@require_token("read:blocks")
def blocks(request: HttpRequest) -> JsonResponse:
    """Return the accounts the token owner blocks, newest block first, paged by block."""
    viewer = required_actor(request)
    page = paginate(
        Block.objects.filter(account=viewer).select_related("target"),
        PageRequest.from_request(request, default=40, maximum=80),
    )
    return paginated_response(request, account_entities([item.target for item in page]), [item.pk for item in page])
