"""JSON shapes of proposals, ballots, comments, log entries, reports and moderation actions."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from config.api.timestamps import iso_with_millis
from governance.actions.ballots import tracker_for
from governance.actions.closing import count_proposal, published_ballots
from governance.log_activities import log_entry_data
from governance.models import Ballot, LogEntry, ModerationAction, Participation, Proposal, ProposalComment, Report
from governance.payloads import diff_against_in_force, preview_lines, read_payload
from members.models import User
from timeline.entities.accounts import account_entity


def _iso(moment: datetime | None) -> str | None:
    return iso_with_millis(moment) if moment is not None else None


def results_visible(proposal: Proposal) -> bool:
    """Return whether counts may be shown: always after close, before only if not hidden."""
    return proposal.state == Proposal.State.CLOSED or not proposal.hide_results


def proposal_entity(proposal: Proposal, viewer: User | None) -> dict[str, Any]:
    """Return a proposal with its payload preview, diff, rules, electorate and (if visible) results."""
    own: dict[str, Any] | None = None
    payload = read_payload(proposal.kind, proposal.payload)
    if viewer is not None:
        tracker = tracker_for(proposal, viewer.pk)
        ballot = Ballot.objects.filter(proposal=proposal, tracker=tracker).first()
        if ballot is not None:
            own = {"tracker": tracker, "choice": ballot.choice, "cast_at": _iso(ballot.cast_at)}
    results: dict[str, Any] | None = None
    if proposal.state == Proposal.State.CLOSED:
        results = {
            "outcome": proposal.outcome,
            "reason": proposal.outcome_reason,
            "tally": proposal.tally,
            "ballots_digest": proposal.ballots_digest,
            "enactment": proposal.enactment,
        }
    elif results_visible(proposal):
        rows = list(Ballot.objects.filter(proposal=proposal).values_list("tracker", "choice"))
        tally, _ = count_proposal(proposal, rows)
        results = {"outcome": None, "reason": "", "tally": tally.to_json(), "ballots_digest": "", "enactment": {}}
    return {
        "id": str(proposal.pk),
        "kind": proposal.kind,
        "title": proposal.title,
        "body": proposal.body,
        "payload": proposal.payload,
        "preview": preview_lines(payload),
        "option_payloads": proposal.option_payloads,
        "option_previews": [preview_lines(read_payload(proposal.kind, option)) for option in proposal.option_payloads],
        "diff": diff_against_in_force(payload) if proposal.state == Proposal.State.OPEN else [],
        "method": proposal.method,
        "options": proposal.options,
        "secret": proposal.secret,
        "hide_results": proposal.hide_results,
        "author": proposal.author.username,
        "opened_at": _iso(proposal.opened_at),
        "closes_at": _iso(proposal.closes_at),
        "closed_at": _iso(proposal.closed_at),
        "state": proposal.state,
        "rules": {
            "bylaws_version": proposal.bylaws_version,
            "min_open_days": proposal.min_open_days,
            "quorum": str(proposal.quorum),
            "pass_threshold": str(proposal.pass_threshold),
            "block_override": str(proposal.block_override),
            "threshold_basis": proposal.threshold_basis,
        },
        "electorate": {"size": proposal.electorate_size, "hash": proposal.electorate_hash},
        "participation": Participation.objects.filter(proposal=proposal).count(),
        "ratifies": [str(pk) for pk in proposal.ratifies.values_list("pk", flat=True)],
        "own_ballot": own,
        "results": results,
    }


def published_ballot_entities(proposal: Proposal) -> list[dict[str, Any]]:
    """Return the ballots of a closed proposal as published for recounts."""
    return [
        {"tracker": ballot.tracker, "choice": ballot.choice, "voter": ballot.voter}
        for ballot in published_ballots(proposal)
    ]


def published_ballots_document(proposal: Proposal) -> dict[str, Any]:
    """Return a closed proposal's published ballots with what a recount needs: method, options and electorate."""
    return {
        "proposal_id": str(proposal.pk),
        "method": proposal.method,
        "options": proposal.options,
        "electorate": {"size": proposal.electorate_size, "hash": proposal.electorate_hash},
        "ballots_digest": proposal.ballots_digest,
        "ballots": published_ballot_entities(proposal),
    }


def comment_entity(comment: ProposalComment) -> dict[str, Any]:
    """Return a reply in a proposal's discussion."""
    return {
        "id": str(comment.pk),
        "author": comment.author.username,
        "text": comment.text,
        "in_reply_to_id": str(comment.in_reply_to_id) if comment.in_reply_to_id else None,
        "created_at": _iso(comment.created_at),
    }


def log_entry_entity(entry: LogEntry) -> dict[str, Any]:
    """Return a log entry with everything needed to check its hash."""
    return log_entry_data(entry)


def admin_domain_block_entity(action: ModerationAction) -> dict[str, Any]:
    """Return a domain action as Mastodon's Admin::DomainBlock, with its ratification state."""
    details = action.details
    return {
        "id": str(action.pk),
        "domain": action.target_domain,
        # Mastodon's digest: the SHA-256 of the domain, which tools match obfuscated names against.
        "digest": hashlib.sha256(action.target_domain.encode()).hexdigest(),
        "created_at": _iso(action.created_at),
        "severity": details.get("severity", "suspend"),
        "reject_media": bool(details.get("reject_media")),
        "reject_reports": bool(details.get("reject_reports")),
        "private_comment": details.get("private_comment") or None,
        "public_comment": details.get("public_comment") or None,
        "obfuscate": bool(details.get("obfuscate")),
        "emergency": action.emergency,
        "state": action.state,
        "expires_at": _iso(action.expires_at),
        "authority": action.authority,
        "mandate": str(action.mandate_id) if action.mandate_id is not None else None,
    }


def admin_report_entity(report: Report) -> dict[str, Any]:
    """Return a report as Mastodon's Admin::Report (accounts shown as plain Account entities)."""
    return {
        "id": str(report.pk),
        "action_taken": report.state == Report.State.RESOLVED,
        "action_taken_at": _iso(report.resolved_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": _iso(report.created_at),
        "updated_at": _iso(report.updated_at),
        "account": account_entity(report.reporter) if report.reporter else None,
        "target_account": account_entity(report.target),
        "assigned_account": report.assigned_to.username if report.assigned_to else None,
        "action_taken_by_account": report.resolved_by.username if report.resolved_by else None,
        # The posts as filed, so that one removed since stays listed.
        "statuses": [str(post["id"]) for post in report.reported_posts]
        or [str(pk) for pk in report.statuses.values_list("pk", flat=True)],
        "rules": [{"id": str(version.rule_id), "text": version.text} for version in report.rule_versions.all()],
    }


def report_entity(report: Report) -> dict[str, Any]:
    """Return a report as Mastodon's Report entity (what the reporter sees)."""
    return {
        "id": str(report.pk),
        "action_taken": report.state == Report.State.RESOLVED,
        "action_taken_at": _iso(report.resolved_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": _iso(report.created_at),
        "status_ids": [str(pk) for pk in report.statuses.values_list("pk", flat=True)] or None,
        "rule_ids": [str(version.rule_id) for version in report.rule_versions.all()] or None,
        "target_account": account_entity(report.target),
    }
