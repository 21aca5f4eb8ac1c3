"""Opening a proposal checks its payload and method and freezes the bylaws' rules and the electorate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from governance.actions.proposals import (
    check_add_comment,
    check_create_proposal,
    do_add_comment,
    electorate_hash,
)
from governance.errors import ProposalRefused
from governance.models import Elector, LogEntry, Proposal, ProposalComment
from governance.payloads import diff_against_in_force, parse_payload
from tests.factories.governance import adopt_rules, open_proposal
from tests.factories.members import UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_opening_freezes_rules_and_electorate() -> None:
    members = [make_member() for _ in range(3)]
    proposal = open_proposal(members[0])
    ids = sorted(member.pk for member in members)
    assert proposal.electorate_size == 3
    assert proposal.electorate_hash == electorate_hash(ids)
    assert sorted(Elector.objects.filter(proposal=proposal).values_list("user_id", flat=True)) == ids
    assert proposal.quorum == Decimal("0.200")
    assert proposal.closes_at - proposal.opened_at == timedelta(days=proposal.min_open_days)
    entry = LogEntry.objects.get()
    assert entry.data["electorate_hash"] == proposal.electorate_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "domain_policy", "payload": {"action": "suspend", "domain": "not a domain"}}, "is not a domain name"),
        (
            {
                "kind": "domain_policy",
                "payload": {"action": "suspend", "domain": "a.example"},
                "method": "approval",
                "options": ["A", "B"],
            },
            "payload per option, not one payload",
        ),
        (
            {
                "kind": "domain_policy",
                "method": "ranked_choice",
                "options": ["A", "B"],
                "option_payloads": [{"action": "suspend", "domain": "a.example"}],
            },
            "one payload for each option",
        ),
        (
            {
                "kind": "domain_policy",
                "method": "score",
                "options": ["A", "B"],
                "option_payloads": [{"action": "suspend", "domain": "a.example"}, {"action": "x", "domain": "b.ex"}],
            },
            "Option 2: action must be one of",
        ),
        ({"kind": "text", "threshold_basis": "everyone"}, "threshold_basis must be one of"),
        ({"kind": "text", "payload": {"anything": 1}}, "carries no payload"),
        ({"kind": "bylaw_amendment", "payload": {"changes": {"proposal_quorum": "1.5"}}}, "between 0 and 1"),
        ({"kind": "bylaw_amendment", "payload": {"changes": {"secret_power": 1}}}, "Unknown bylaws setting"),
        ({"kind": "server_rule", "payload": {"action": "amend", "rule_id": 999, "text": "x"}}, "existing rule"),
        ({"kind": "membership", "payload": {"action": "expel", "user_id": 999, "reason": "x"}}, "user_id must"),
        ({"kind": "role_grant", "payload": {"user_id": "author", "role": "emperor"}}, "role must be"),
        ({"kind": "budget", "payload": {"amount": "-5", "payee": "Host"}}, "more than 0"),
        ({"kind": "text", "method": "single_choice", "options": ["only one"]}, "between 2 and 20"),
        ({"kind": "text", "method": "consent", "options": ["yes", "no"]}, "options are fixed"),
        ({"kind": "text", "closes_at": timezone.now() + timedelta(days=1)}, "at least 6 days"),
        ({"kind": "text", "ratifies": [12345]}, "emergency actions"),
        ({"kind": "nonsense"}, "kind must be one of"),
    ],
)
def test_invalid_proposals_are_refused(fields: dict[str, Any], message: str) -> None:
    author = make_member()
    fields.setdefault("title", "A proposal")
    if fields.get("payload", {}).get("user_id") == "author":
        fields["payload"]["user_id"] = author.pk
    with pytest.raises(ProposalRefused, match=message):
        check_create_proposal(author, **fields)
    assert not Proposal.objects.exists()


def test_applicants_cannot_propose() -> None:
    with pytest.raises(ProposalRefused, match="good standing"):
        check_create_proposal(UserFactory.create(), kind="text", title="Hello")
    assert not Proposal.objects.exists()


def test_bylaws_amendment_shows_a_diff_against_the_version_in_force() -> None:
    author = make_member()
    proposal = open_proposal(author, kind="bylaw_amendment", payload={"changes": {"proposal_quorum": 0.25}})
    assert proposal.payload == {"changes": {"proposal_quorum": "0.250"}}
    assert diff_against_in_force(parse_payload(proposal.kind, proposal.payload)) == [
        {"field": "proposal quorum", "current": "20%", "proposed": "25%"}
    ]


def test_rule_amendment_diff() -> None:
    (rule,) = adopt_rules("Be kind.")
    proposal = open_proposal(make_member(), kind="server_rule", payload={"action": "retire", "rule_id": rule.rule_id})
    assert diff_against_in_force(parse_payload(proposal.kind, proposal.payload)) == [
        {"field": f"rule {rule.rule_id}", "current": "Be kind.", "proposed": ""}
    ]


def test_discussion_replies_are_for_members() -> None:
    author = make_member()
    proposal = open_proposal(author)
    comment = do_add_comment(check_add_comment(author, proposal, "  I agree.  "))
    assert comment.text == "I agree."
    with pytest.raises(ProposalRefused, match="good standing"):
        check_add_comment(UserFactory.create(), proposal, "Spam")
    with pytest.raises(ProposalRefused, match="same proposal"):
        check_add_comment(author, open_proposal(author), "Elsewhere", comment.pk)
    assert ProposalComment.objects.count() == 1
