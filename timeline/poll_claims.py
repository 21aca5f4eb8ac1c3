"""Polls another app owns: it claims them here, takes the votes cast in them and says what they show.

A proposal's poll is a ballot: governance, above timeline, registers a
claimer when it loads (in its `AppConfig.ready()`), so timeline imports it
nowhere. A claimed poll never stores a vote of its own: timeline's vote
action hands a local account's vote to the claim, and the Poll entity shows
the claim's counts instead of the poll's. With nothing registered every poll
is an ordinary one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from federation.models import Actor


@dataclass(frozen=True)
class ClaimedPollView:
    """What a claimed poll shows a viewer: counts per option (None while hidden), voters, the viewer's choices."""

    counts: list[int] | None
    voters: int
    own_choices: list[int] | None


@dataclass(frozen=True)
class PollClaim:
    """How the app that owns a poll takes a vote in it and shows it.

    `check_vote` validates a local account's choices, raising a `Refused`
    with the reason, and returns the trusted step that records them.
    `refusal` says why the poll takes no vote of its own (a federated vote,
    or a vote that does not go through the owner).
    """

    refusal: str
    check_vote: Callable[[Actor, list[int]], Callable[[], object]]
    view_for: Callable[[Actor | None], ClaimedPollView]


PollClaimer = Callable[[list[int]], dict[int, PollClaim]]

_claimers: list[PollClaimer] = []


def register_poll_claimer(claimer: PollClaimer) -> None:
    """Add a function that, given poll ids, returns the claims of those its app owns (one query)."""
    if claimer not in _claimers:
        _claimers.append(claimer)


def poll_claims(poll_ids: list[int]) -> dict[int, PollClaim]:
    """Return, per claimed poll among these, its claim; polls nobody claims are left out."""
    claims: dict[int, PollClaim] = {}
    for claimer in _claimers:
        claims.update(claimer(poll_ids))
    return claims


def claimed_poll_views(poll_ids: list[int], viewer: Actor | None) -> dict[int, ClaimedPollView]:
    """Return, per claimed poll among these, what it shows the viewer (None: anonymous)."""
    return {poll_id: claim.view_for(viewer) for poll_id, claim in poll_claims(poll_ids).items()}
