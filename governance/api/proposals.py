"""The co-op API's proposals: open, read, vote, discuss, and the published ballots and log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token
from config.api.errors import ApiError, api_view
from config.api.params import json_body
from governance.access import access_proposal_by_id, is_moderator
from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.actions.proposals import check_add_comment, check_create_proposal, do_add_comment, do_open_proposal
from governance.api.entities import comment_entity, log_entry_entity, proposal_entity, published_ballots_document
from governance.models import Proposal
from governance.selectors import log_entries_for, log_visibilities_for, proposals_for_members
from governance.tally.outcome import ThresholdBasis
from members.api.auth import token_user
from members.eligibility import is_eligible_voter
from members.models import User

MAX_PAGE = 40


def _closes_at(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = parse_datetime(str(value))
    if moment is None or moment.tzinfo is None:
        raise ApiError("closes_at must be an ISO 8601 time with a time zone", 422)
    return moment


def _int_list(value: Any, name: str) -> list[int]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else [value]
    try:
        return [int(item) for item in items]
    except (TypeError, ValueError):
        raise ApiError(f"{name} must be a list of ids", 422) from None


@csrf_exempt
@api_view("GET", "POST")
@require_token("read", "write")
def proposals(request: HttpRequest) -> JsonResponse:
    """List proposals (GET, ?state=open|closed) or open one (POST, JSON)."""
    user = token_user(request)
    if request.method == "GET":
        if not (is_moderator(user) or is_eligible_voter(user.pk, timezone.now())):
            raise ApiError("Only members can read proposals", 403)
        before = request.GET.get("max_id", "")
        queryset = proposals_for_members(state=request.GET.get("state"))
        if before.isdigit():
            queryset = queryset.filter(pk__lt=int(before))
        return JsonResponse([proposal_entity(item, user) for item in queryset[:MAX_PAGE]], safe=False)
    body = json_body(request)
    draft = check_create_proposal(
        user,
        kind=str(body.get("kind", "")),
        title=str(body.get("title", "")),
        body=str(body.get("body", "")),
        payload=body.get("payload"),
        method=str(body.get("method", "consent")),
        options=body.get("options") if isinstance(body.get("options"), list) else None,
        secret=bool(body.get("secret", False)),
        hide_results=bool(body.get("hide_results", False)),
        closes_at=_closes_at(body.get("closes_at")),
        ratifies=_int_list(body.get("ratifies"), "ratifies"),
        option_payloads=body.get("option_payloads") if isinstance(body.get("option_payloads"), list) else None,
        threshold_basis=str(body.get("threshold_basis", ThresholdBasis.VOTES_CAST)),
    )
    proposal = do_open_proposal(user, draft)
    return JsonResponse(proposal_entity(proposal, user), status=201)


def _proposal_id(raw: str) -> int:
    if not raw.isdigit():
        raise ApiError("Record not found", 404)
    return int(raw)


@api_view("GET")
@require_token("read")
def proposal_detail(request: HttpRequest, proposal_id: str) -> JsonResponse:
    """Return one proposal, with the viewer's own ballot and the results if they may be seen."""
    user = token_user(request)
    proposal = access_proposal_by_id(user, _proposal_id(proposal_id))
    return JsonResponse(proposal_entity(proposal, user))


@csrf_exempt
@api_view("POST")
@require_token("write")
def proposal_vote(request: HttpRequest, proposal_id: str) -> JsonResponse:
    """Cast or replace the member's ballot; answer with the receipt."""
    user = token_user(request)
    proposal = access_proposal_by_id(user, _proposal_id(proposal_id))
    body = json_body(request)
    if "choice" not in body:
        raise ApiError("choice is required", 422)
    choice = check_cast_ballot(user, proposal, body["choice"])
    receipt = do_cast_ballot(user, proposal.pk, choice)
    return JsonResponse(
        {
            "proposal_id": str(receipt.proposal_id),
            "tracker": receipt.tracker,
            "choice": receipt.choice,
            "replaced": receipt.replaced,
        }
    )


@api_view("GET")
@require_token("read")
def proposal_ballots(request: HttpRequest, proposal_id: str) -> JsonResponse:
    """Return a closed proposal's published ballots, so that anyone can recount."""
    proposal = access_proposal_by_id(token_user(request), _proposal_id(proposal_id))
    if proposal.state != Proposal.State.CLOSED:
        raise ApiError("Ballots are published when the proposal closes", 422)
    return JsonResponse(published_ballots_document(proposal))


@csrf_exempt
@api_view("GET", "POST")
@require_token("read", "write")
def proposal_comments(request: HttpRequest, proposal_id: str) -> JsonResponse:
    """Read the discussion (GET) or reply in it (POST, JSON: text, in_reply_to_id)."""
    user = token_user(request)
    proposal = access_proposal_by_id(user, _proposal_id(proposal_id))
    if request.method == "GET":
        comments = proposal.comments.select_related("author")
        return JsonResponse([comment_entity(comment) for comment in comments], safe=False)
    body = json_body(request)
    reply_to = body.get("in_reply_to_id")
    try:
        reply_to_id = None if reply_to is None or reply_to == "" else int(reply_to)
    except (TypeError, ValueError):
        raise ApiError("in_reply_to_id must be an id", 422) from None
    draft = check_add_comment(user, proposal, str(body.get("text", "")), reply_to_id)
    return JsonResponse(comment_entity(do_add_comment(draft)), status=201)


@api_view("GET")
@optional_token("read")
def log(request: HttpRequest) -> JsonResponse:
    """Return log entries the reader may see (anonymous readers see public ones), oldest first."""
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    member = user is not None and is_eligible_voter(user.pk, timezone.now())
    visibilities = log_visibilities_for(member=member, moderator=is_moderator(user))
    after = request.GET.get("after", "0")
    entries = log_entries_for(visibilities, after=int(after) if after.isdigit() else 0, limit=MAX_PAGE * 5)
    return JsonResponse([log_entry_entity(entry) for entry in entries], safe=False)
