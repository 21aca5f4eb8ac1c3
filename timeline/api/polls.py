"""The client API's polls resource: read a poll, vote in it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.models import Actor
from timeline.access import access_poll_by_id
from timeline.actions.polls import check_cast_vote, do_cast_vote
from timeline.entities.emojis import emoji_entities, shortcodes_in
from timeline.entities.statuses import poll_entity, poll_titles
from timeline.models import Poll, PollVote
from timeline.poll_claims import claimed_poll_views


def _own_votes(viewer: Actor | None, poll: Poll) -> list[int] | None:
    if viewer is None:
        return None
    return list(PollVote.objects.filter(poll=poll, account=viewer).values_list("choice", flat=True))


def _poll_response(viewer: Actor | None, poll: Poll) -> JsonResponse:
    claimed = claimed_poll_views([poll.pk], viewer).get(poll.pk)
    domain = poll.status.account.domain
    emojis = emoji_entities({poll.pk: (domain, shortcodes_in(poll_titles(poll)))})[poll.pk]
    return JsonResponse(poll_entity(poll, _own_votes(viewer, poll), claimed, emojis=emojis))


@api_view("GET")
@optional_token("read:statuses")
def poll_detail(request: HttpRequest, poll_id: str) -> JsonResponse:
    """Return a poll whose status the viewer may see."""
    viewer = token_actor(request)
    return _poll_response(viewer, access_poll_by_id(viewer, poll_id))


@csrf_exempt
@api_view("POST")
@require_token("write:statuses")
def vote(request: HttpRequest, poll_id: str) -> JsonResponse:
    """Vote in a poll with the option indexes in `choices[]`; a claimed poll's vote goes to the app that owns it."""
    actor = required_actor(request)
    poll = access_poll_by_id(actor, poll_id)
    raw = ApiParams.from_request(request).get_list("choices")
    if any(not choice.isdigit() for choice in raw):
        raise ApiError("choices must be option indexes", 422)
    choices = [int(choice) for choice in raw]
    do_cast_vote(check_cast_vote(actor, poll, choices))
    poll.refresh_from_db()
    return _poll_response(actor, poll)
