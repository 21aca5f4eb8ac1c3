"""The client API's polls resource: read a poll, vote in it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.models import Actor
from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.errors import BallotRefused
from governance.models import Proposal
from governance.selectors import proposal_for_poll, proposal_poll_views
from timeline.access import StatusNotFound, access_status_by_id
from timeline.actions.polls import check_vote, do_vote
from timeline.entities.statuses import poll_entity
from timeline.errors import InteractionRefused
from timeline.models import Poll, PollVote


def _access_poll(viewer: Actor | None, poll_id: str) -> Poll:
    poll = Poll.objects.filter(pk=int(poll_id)).first() if poll_id.isdigit() else None
    if poll is None:
        raise StatusNotFound("Record not found")
    access_status_by_id(viewer, poll.status_id)
    return poll


def _own_votes(viewer: Actor | None, poll: Poll) -> list[int] | None:
    if viewer is None:
        return None
    return list(PollVote.objects.filter(poll=poll, account=viewer).values_list("choice", flat=True))


def _poll_response(viewer: Actor | None, poll: Poll) -> JsonResponse:
    proposal = proposal_poll_views([poll.pk], viewer.user if viewer is not None else None).get(poll.pk)
    return JsonResponse(poll_entity(poll, _own_votes(viewer, poll), proposal))


@api_view("GET")
@optional_token("read:statuses")
def poll_detail(request: HttpRequest, poll_id: str) -> JsonResponse:
    """Return a poll whose status the viewer may see."""
    viewer = token_actor(request)
    return _poll_response(viewer, _access_poll(viewer, poll_id))


def _cast_ballot(actor: Actor, proposal: Proposal, choices: list[int]) -> None:
    """Record the vote as a ballot on the proposal, never as a vote in the poll itself."""
    if actor.user is None:
        raise ApiError("Only members in good standing can vote.", 422)
    try:
        choice = check_cast_ballot(actor.user, proposal, choices)
        do_cast_ballot(actor.user, proposal.pk, choice)
    except BallotRefused as exc:
        raise ApiError(str(exc), 422) from None


@csrf_exempt
@api_view("POST")
@require_token("write:statuses")
def vote(request: HttpRequest, poll_id: str) -> JsonResponse:
    """Vote in a poll with the option indexes in `choices[]`."""
    actor = required_actor(request)
    poll = _access_poll(actor, poll_id)
    raw = ApiParams.from_request(request).get_list("choices")
    if any(not choice.isdigit() for choice in raw):
        raise ApiError("choices must be option indexes", 422)
    choices = [int(choice) for choice in raw]
    proposal = proposal_for_poll(poll.pk)
    if proposal is not None:
        _cast_ballot(actor, proposal, choices)
        return _poll_response(actor, poll)
    try:
        check_vote(actor, poll.status, choices)
    except InteractionRefused as exc:
        raise ApiError(str(exc), 422) from None
    do_vote(actor, poll.status, choices)
    poll.refresh_from_db()
    return _poll_response(actor, poll)
