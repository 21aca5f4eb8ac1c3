"""Factories and helpers for the governance app."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from governance.actions.ballots import BallotReceipt, check_cast_ballot, do_cast_ballot
from governance.actions.closing import do_close_proposal
from governance.actions.founding import RuleText, do_adopt_founding_documents
from governance.actions.proposals import check_create_proposal, do_open_proposal
from governance.models import BlocklistMandate, Proposal, RuleVersion
from members.actions.roles import do_grant_role
from members.models import User
from members.models.membership import Role
from tests.factories.members import make_member


def adopt_rules(*texts: str) -> list[RuleVersion]:
    """Adopt the founding charter with the given rules; return their versions in order."""
    do_adopt_founding_documents("Charter", "What the co-op is for.", [RuleText(text) for text in texts])
    return list(RuleVersion.objects.order_by("rule__position"))


def make_moderator(**user_fields: Any) -> User:
    """Return a member in good standing who holds the moderator role."""
    user = make_member(**user_fields)
    do_grant_role(user, Role.MODERATOR, authorised_by="Test appointment")
    return user


def open_proposal(author: User, **fields: Any) -> Proposal:
    """Open a proposal through the actions; a text proposal by consent unless told otherwise."""
    fields.setdefault("kind", "text")
    fields.setdefault("title", "A question for the members")
    return do_open_proposal(author, check_create_proposal(author, **fields))


def vote(voter: User, proposal: Proposal, choice: Any) -> BallotReceipt:
    """Cast a ballot through the actions."""
    return do_cast_ballot(voter, proposal.pk, check_cast_ballot(voter, proposal, choice))


def close(proposal: Proposal) -> Proposal:
    """Close the proposal as the beat task would once its time is up."""
    return do_close_proposal(proposal.pk, now=after_close(proposal))


def after_close(proposal: Proposal) -> datetime:
    """Return a moment just after the proposal's closing time."""
    return proposal.closes_at + timedelta(seconds=1)


def days_ago(days: int) -> datetime:
    """Return the moment `days` days before now."""
    return timezone.now() - timedelta(days=days)


def adopt_blocklist_mandate(author: User | None = None, **payload: Any) -> BlocklistMandate:
    """Pass a blocklist mandate proposal (moderators may apply blocks up to suspend, by default) and return it."""
    payload.setdefault("sources", [{"csv": "#domain,#severity\nspam.example,suspend\n"}])
    payload.setdefault("max_severity", "suspend")
    payload.setdefault("review_months", 6)
    author = author or make_member()
    proposal = open_proposal(author, kind="blocklist_mandate", title="Use a shared blocklist", payload=payload)
    vote(author, proposal, 0)
    closed = close(proposal)
    assert closed.outcome == "passed", closed.outcome_reason
    return BlocklistMandate.objects.get(proposal=closed)
