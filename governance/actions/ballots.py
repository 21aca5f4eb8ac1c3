"""Cast and replace ballots; every voter gets a receipt they can find after close."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.ballot_keys import current_key_id, open_tracker_key, reseal_tracker_key, tracker_from_key
from governance.errors import BallotRefused
from governance.models import Ballot, Elector, Participation, Proposal
from governance.tally.methods import Choice, normalise_choice
from members.eligibility import is_eligible_voter
from members.models import User


@dataclass(frozen=True)
class BallotReceipt:
    """What a voter keeps: the tracker of their ballot and whether it replaced an earlier one."""

    proposal_id: int
    tracker: str
    choice: Choice
    replaced: bool


def tracker_for(proposal: Proposal, user_id: int) -> str:
    """Return the voter's tracker: a keyed hash that names nobody to those without the key.

    The key is opened with the server's secret, which the database does not hold.
    """
    return tracker_from_key(open_tracker_key(proposal.tracker_key_id, proposal.tracker_key), user_id)


def _check_open(proposal: Proposal) -> None:
    if proposal.state != Proposal.State.OPEN or timezone.now() >= proposal.closes_at:
        raise BallotRefused("This proposal is closed; no more ballots are accepted.")


def check_cast_ballot(voter: User, proposal: Proposal, raw_choice: Any) -> Choice:
    """Validate a ballot: an open proposal, a voter of its frozen electorate still in good standing."""
    _check_open(proposal)
    if not Elector.objects.filter(proposal=proposal, user=voter).exists():
        raise BallotRefused(
            "You are not in this proposal's electorate: only members in good standing when it opened can vote."
        )
    if not voter.is_active or not is_eligible_voter(voter.pk, timezone.now()):
        raise BallotRefused("Only members in good standing can vote.")
    return normalise_choice(proposal.method, len(proposal.options), raw_choice)


# Participation records who voted and when, so a secret ballot must not
# carry the same moment, nor an id that counts in the order votes came: a
# copy of the database could match them up. Its time is kept to the (UTC)
# day, and it takes a random id far above the sequence's reach.
SECRET_BALLOT_IDS = (2**40, 2**52)


def _secret_cast_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _secret_ballot_id() -> dict[str, Any]:
    low, high = SECRET_BALLOT_IDS
    return {"id": low + secrets.randbelow(high - low)}


def do_cast_ballot(voter: User, proposal_id: int, choice: Choice) -> BallotReceipt:
    """Record a checked choice, replacing the voter's earlier ballot, while the proposal is open."""
    now = timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        _check_open(proposal)
        tracker = tracker_for(proposal, voter.pk)
        fields: dict[str, Any] = {
            "choice": choice,
            "cast_at": _secret_cast_day(now) if proposal.secret else now,
            "voter": None if proposal.secret else voter,
        }
        _, created = Ballot.objects.update_or_create(
            proposal=proposal,
            tracker=tracker,
            defaults=fields,
            create_defaults={**fields, **_secret_ballot_id()} if proposal.secret else None,
        )
        participation, first = Participation.objects.get_or_create(
            proposal=proposal, user=voter, defaults={"first_voted_at": now, "last_voted_at": now}
        )
        if not first:
            participation.last_voted_at = now
            participation.save(update_fields=["last_voted_at"])
    return BallotReceipt(proposal_id=proposal.pk, tracker=tracker, choice=choice, replaced=not created)


def do_reseal_tracker_keys() -> int:
    """Seal every proposal's tracker key under the current secret; return how many changed.

    Each proposal is resealed in its own short transaction, so the command
    can stop and start again. All keys are opened before any is written, so
    a key sealed under a secret no longer held stops the run before it
    changes anything.
    """
    current = current_key_id()
    stale = list(Proposal.objects.exclude(tracker_key_id=current).values_list("pk", "tracker_key_id", "tracker_key"))
    for _, key_id, sealed in stale:
        open_tracker_key(key_id, sealed)
    for proposal_id, _, _ in stale:
        with transaction.atomic():
            proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
            if proposal.tracker_key_id == current:
                continue
            proposal.tracker_key_id, proposal.tracker_key = reseal_tracker_key(
                proposal.tracker_key_id, proposal.tracker_key
            )
            proposal.save(update_fields=["tracker_key_id", "tracker_key"])
    return len(stale)
