"""Close proposals on time, decide them from the rules, and recount from published ballots."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.actions.announcements import do_announce_proposal_outcome
from governance.actions.appeals import do_settle_escalated_appeal
from governance.actions.enactment import do_enact_proposal
from governance.actions.log import canonical_json, do_append_log_entry
from governance.log_headlines import proposal_closed_summary
from governance.models import Ballot, LogEntry, Proposal
from governance.rules import decision_rules
from governance.selectors import BallotSummary, ballot_rows, ballot_summary_in_database
from governance.tally.methods import Choice, Tally, count_ballot_groups, count_ballots
from governance.tally.outcome import Decision, Outcome, decide


@dataclass(frozen=True)
class PublishedBallot:
    """A ballot as published after close: tracker and choice (and voter, if ballots were named)."""

    tracker: str
    choice: Choice
    voter: str | None


def ballots_digest(rows: list[tuple[str, Choice]]) -> str:
    """Return the SHA-256 of the ballots: one `[tracker, choice]` JSON line each, sorted by tracker.

    JSON is written with Python's default separators, as PostgreSQL prints
    jsonb, so that the database can compute the same digest at close.
    """
    # Trackers are unique, so sorting the pairs sorts by tracker.
    lines = "\n".join(json.dumps([tracker, choice]) for tracker, choice in sorted(rows))
    return hashlib.sha256(lines.encode()).hexdigest()


def count_proposal(proposal: Proposal, rows: list[tuple[str, Choice]]) -> tuple[Tally, Decision]:
    """Count ballots and decide the outcome under the proposal's frozen rules."""
    tally = count_ballots(proposal.method, len(proposal.options), (choice for _, choice in rows))
    return tally, decide(tally, decision_rules(proposal), proposal.electorate_size)


def do_close_proposal(proposal_id: int, *, now: datetime | None = None) -> Proposal:
    """Close a proposal whose time is up; enact it in the same transaction if it passed.

    Idempotent: a proposal that is closed already, or not yet due, is
    returned unchanged.
    """
    now = now or timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.state != Proposal.State.OPEN or proposal.closes_at > now:
            return proposal
        summary = ballot_summary_in_database(proposal)
        if summary is None:
            rows = ballot_rows(proposal)
            summary = BallotSummary(groups=[(choice, 1) for _, choice in rows], digest=ballots_digest(rows))
        tally = count_ballot_groups(proposal.method, len(proposal.options), summary.groups)
        decision = decide(tally, decision_rules(proposal), proposal.electorate_size)
        proposal.state = Proposal.State.CLOSED
        proposal.closed_at = now
        proposal.outcome = decision.outcome
        proposal.outcome_reason = decision.reason
        proposal.tally = tally.to_json()
        proposal.ballots_digest = summary.digest
        result = do_append_log_entry(
            LogEntry.Kind.PROPOSAL_CLOSED,
            summary=proposal_closed_summary(proposal.pk, decision.outcome, proposal.title),
            data={
                "proposal": proposal.pk,
                "outcome": decision.outcome,
                "reason": decision.reason,
                "tally": proposal.tally,
                "ballots_digest": proposal.ballots_digest,
                "electorate_size": proposal.electorate_size,
                "electorate_hash": proposal.electorate_hash,
            },
        )
        if decision.outcome == Outcome.PASSED:
            proposal.enactment = do_enact_proposal(proposal, result_sequence=result.sequence)
            do_announce_proposal_outcome(proposal)
        proposal.save(
            update_fields=[
                "state",
                "closed_at",
                "outcome",
                "outcome_reason",
                "tally",
                "ballots_digest",
                "enactment",
            ]
        )
        _settle_escalated_appeals(proposal, passed=decision.outcome == Outcome.PASSED)
    return proposal


def _settle_escalated_appeals(proposal: Proposal, *, passed: bool) -> None:
    for appeal in proposal.appeals.all():
        do_settle_escalated_appeal(appeal, granted=passed)


def do_close_due_proposals(*, now: datetime | None = None) -> list[int]:
    """Close every open proposal whose closing time has passed; return their ids."""
    now = now or timezone.now()
    due = list(
        Proposal.objects.filter(state=Proposal.State.OPEN, closes_at__lte=now)
        .order_by("closes_at")
        .values_list("pk", flat=True)
    )
    for proposal_id in due:
        do_close_proposal(proposal_id, now=now)
    return due


def published_ballots(proposal: Proposal) -> list[PublishedBallot]:
    """Return a closed proposal's ballots as published: sorted by tracker, voters only if named."""
    voters: dict[str, str] = {}
    if not proposal.secret:
        voters = dict(
            Ballot.objects.filter(proposal=proposal, voter__isnull=False).values_list("tracker", "voter__username")
        )
    return [
        PublishedBallot(tracker=tracker, choice=choice, voter=voters.get(tracker))
        for tracker, choice in ballot_rows(proposal)
    ]


@dataclass(frozen=True)
class Recount:
    """A recount's findings: an empty `problems` list means the official result stands."""

    tally: dict[str, Any]
    outcome: str
    digest: str
    problems: list[str]


def recount_proposal(proposal: Proposal, rows: list[tuple[str, Choice]] | None = None) -> Recount:
    """Recount a closed proposal from its published ballots (trackers and choices) and compare with the record.

    The record is checked three ways: the stored tally and outcome, the
    ballots' digest at close, and the closing entry of the hash-chained log.
    `rows` are the ballots as a page showed them, so that what is recounted
    is what the reader saw; by default they are read afresh.
    """
    rows = ballot_rows(proposal) if rows is None else rows
    tally, decision = count_proposal(proposal, rows)
    digest = ballots_digest(rows)
    problems: list[str] = []
    if proposal.state != Proposal.State.CLOSED:
        return Recount(tally.to_json(), decision.outcome, digest, ["The proposal is still open."])
    recounted = json.loads(canonical_json(tally.to_json()))
    if recounted != proposal.tally or decision.outcome != proposal.outcome:
        problems.append("The recount differs from the stored tally or outcome.")
    if digest != proposal.ballots_digest:
        problems.append("The ballots differ from those counted at close.")
    entry = LogEntry.objects.filter(kind=LogEntry.Kind.PROPOSAL_CLOSED, data__proposal=proposal.pk).first()
    if entry is None:
        problems.append("The log has no closing entry for this proposal.")
    elif (
        entry.data.get("ballots_digest") != digest
        or entry.data.get("tally") != recounted
        or entry.data.get("outcome") != decision.outcome
    ):
        problems.append("The log's closing entry differs from the recount.")
    return Recount(recounted, decision.outcome, digest, problems)
