"""Co-op API for moving accounts: aliases (moving in) and moving away.

Mastodon keeps these in its web settings; here they are API endpoints too,
calling the same actions as the web page.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from federation.models import Actor
from timeline.actions.moves import (
    check_add_alias,
    check_move_away,
    do_add_alias,
    do_move_account,
    do_remove_alias,
)
from timeline.entities.accounts import account_entity


def _aliases(actor: Actor) -> JsonResponse:
    known = {alias.uri: alias for alias in Actor.objects.filter(uri__in=actor.also_known_as)}
    return JsonResponse(
        [{"uri": uri, "acct": known[uri].acct if uri in known else None} for uri in actor.also_known_as], safe=False
    )


@api_view("GET")
@require_token("read:accounts")
def aliases(request: HttpRequest) -> JsonResponse:
    """List the token owner's aliases (the old accounts allowed to move here)."""
    return _aliases(required_actor(request))


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def add_alias(request: HttpRequest) -> JsonResponse:
    """Add an alias, named by `acct` (user@server); it is announced to followers' servers."""
    actor = required_actor(request)
    do_add_alias(actor, check_add_alias(actor, ApiParams.from_request(request).get_str("acct")))
    return _aliases(actor)


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def remove_alias(request: HttpRequest) -> JsonResponse:
    """Remove one of the token owner's aliases, named by `uri`."""
    actor = required_actor(request)
    do_remove_alias(actor, ApiParams.from_request(request).get_str("uri"))
    return _aliases(actor)


@csrf_exempt
@api_view("POST")
@require_token("write:accounts")
def move(request: HttpRequest) -> JsonResponse:
    """Move the token owner's account to `target` (user@server), confirmed with `password`."""
    actor = required_actor(request)
    params = ApiParams.from_request(request)
    target = check_move_away(actor, params.get_str("target"), password=params.get_str("password"))
    moved = do_move_account(actor, target)
    actor.refresh_from_db()
    return JsonResponse({"account": account_entity(actor), "local_followers_moved": moved})
