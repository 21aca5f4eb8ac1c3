"""Closing decides from the frozen rules, enacts in the same transaction, and can be recounted."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from federation.models import DomainPolicy
from governance.actions.closing import ballots_digest, do_close_due_proposals, do_close_proposal, recount_proposal
from governance.actions.log import verify_log_chain
from governance.models import Ballot, LogEntry, ModerationAction, Proposal, RuleVersion
from governance.selectors import rules_in_force
from members.actions.bylaws import do_adopt_bylaws_version
from members.models import User
from members.selectors import bylaws_in_force
from tests.factories.governance import adopt_rules, after_close, close, open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

AGREE, ABSTAIN, DISAGREE, BLOCK = 0, 1, 2, 3


def members(count: int) -> list[User]:
    return [make_member() for _ in range(count)]


def suspend_proposal(author: User) -> Proposal:
    return open_proposal(
        author,
        kind="domain_policy",
        title="Suspend bad.example",
        payload={"action": "suspend", "domain": "Bad.Example", "public_comment": "Harassment"},
    )


def test_passed_domain_suspension_is_enacted_and_logged() -> None:
    voters = members(5)
    proposal = suspend_proposal(voters[0])
    for voter in voters[:4]:
        vote(voter, proposal, AGREE)
    proposal = close(proposal)
    assert proposal.outcome == "passed"
    policy = DomainPolicy.objects.get(domain="bad.example")
    assert policy.severity == "suspend"
    assert policy.authorised_by == f"Proposal #{proposal.pk}"
    result = LogEntry.objects.get(kind=LogEntry.Kind.PROPOSAL_CLOSED)
    enacted = LogEntry.objects.get(kind=LogEntry.Kind.DOMAIN_POLICY)
    assert enacted.data["result_entry"] == result.sequence
    assert result.data["tally"]["counts"] == [4, 0, 0, 0]
    assert result.data["ballots_digest"] == proposal.ballots_digest
    assert proposal.enactment["log_entry"] == enacted.sequence
    action = ModerationAction.objects.get(proposal=proposal)
    assert action.target_domain == "bad.example"
    assert verify_log_chain() == []


def test_too_few_voters_is_no_quorum_and_nothing_is_enacted() -> None:
    voters = members(6)
    proposal = suspend_proposal(voters[0])
    vote(voters[0], proposal, AGREE)
    proposal = close(proposal)
    assert proposal.outcome == "no_quorum"
    assert not DomainPolicy.objects.exists()
    assert not LogEntry.objects.filter(kind=LogEntry.Kind.DOMAIN_POLICY).exists()


def test_a_block_vetoes_the_proposal() -> None:
    voters = members(4)
    proposal = suspend_proposal(voters[0])
    for voter in voters[:3]:
        vote(voter, proposal, AGREE)
    vote(voters[3], proposal, BLOCK)
    proposal = close(proposal)
    assert proposal.outcome == "failed"
    assert "Blocked" in proposal.outcome_reason
    assert not DomainPolicy.objects.exists()


def test_closing_is_idempotent_and_waits_for_the_closing_time() -> None:
    (author,) = members(1)
    proposal = open_proposal(author)
    vote(author, proposal, AGREE)
    assert do_close_proposal(proposal.pk).state == Proposal.State.OPEN
    assert do_close_due_proposals(now=after_close(proposal)) == [proposal.pk]
    assert do_close_due_proposals(now=after_close(proposal)) == []
    do_close_proposal(proposal.pk, now=after_close(proposal))
    assert LogEntry.objects.filter(kind=LogEntry.Kind.PROPOSAL_CLOSED).count() == 1


def test_rules_are_those_in_force_when_the_proposal_opened() -> None:
    voters = members(10)
    proposal = open_proposal(voters[0])
    do_adopt_bylaws_version({"proposal_quorum": Decimal("0.9")}, authorised_by="Test")
    vote(voters[0], proposal, AGREE)
    vote(voters[1], proposal, AGREE)
    assert close(proposal).outcome == "passed"


def test_rule_amendment_adds_a_version_in_force() -> None:
    (rule,) = adopt_rules("Be kind.")
    (author,) = members(1)
    proposal = open_proposal(
        author,
        kind="server_rule",
        payload={"action": "amend", "rule_id": rule.rule_id, "text": "Be kind and fair."},
    )
    vote(author, proposal, AGREE)
    close(proposal)
    assert [version.text for version in rules_in_force()] == ["Be kind and fair."]
    assert RuleVersion.objects.get(version=2).adopted_by == f"Proposal #{proposal.pk}"


def test_bylaw_amendment_uses_the_stricter_rules_and_enacts_a_new_version() -> None:
    voters = members(4)
    proposal = open_proposal(voters[0], kind="bylaw_amendment", payload={"changes": {"proposal_quorum": "0.3"}})
    assert proposal.min_open_days == bylaws_in_force().amendment_min_open_days
    assert proposal.pass_threshold == bylaws_in_force().amendment_pass_threshold
    for voter in voters[:3]:
        vote(voter, proposal, AGREE)
    vote(voters[3], proposal, DISAGREE)
    assert close(proposal).outcome == "passed"
    assert bylaws_in_force().proposal_quorum == Decimal("0.300")


def test_bylaw_amendment_below_the_supermajority_fails() -> None:
    voters = members(4)
    proposal = open_proposal(voters[0], kind="bylaw_amendment", payload={"changes": {"proposal_quorum": "0.3"}})
    for voter in voters[:2]:
        vote(voter, proposal, AGREE)
    vote(voters[2], proposal, DISAGREE)
    assert close(proposal).outcome == "failed"
    assert bylaws_in_force().proposal_quorum != Decimal("0.300")


def test_ranked_choice_recount_equals_the_official_result() -> None:
    voters = members(5)
    proposal = open_proposal(voters[0], method="ranked_choice", options=["Red", "Green", "Blue"], secret=True)
    for voter, ranking in zip(voters, [[0, 1], [1, 0], [1], [2, 0], [2, 1]], strict=True):
        vote(voter, proposal, ranking)
    proposal = close(proposal)
    assert proposal.tally is not None
    assert proposal.tally["winner"] == 1
    recount = recount_proposal(proposal)
    assert recount.problems == []
    assert recount.tally == proposal.tally


def test_an_edited_ballot_is_detected_by_the_recount() -> None:
    voters = members(3)
    proposal = open_proposal(voters[0])
    for voter in voters:
        vote(voter, proposal, AGREE)
    proposal = close(proposal)
    Ballot.objects.filter(proposal=proposal, voter=voters[1]).update(choice=DISAGREE)
    problems = recount_proposal(proposal).problems
    assert "The ballots differ from those counted at close." in problems
    assert "The log's closing entry differs from the recount." in problems


def test_ballots_digest_is_one_json_line_per_ballot_in_tracker_order() -> None:
    lines = '["a", [0, 2]]\n["b", 1]'
    assert ballots_digest([("b", 1), ("a", [0, 2])]) == hashlib.sha256(lines.encode()).hexdigest()
