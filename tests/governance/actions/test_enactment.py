"""Each payload kind is applied when its proposal passes, and logged citing the result."""

from __future__ import annotations

import pytest

from federation.actions.domain_policies import do_set_domain_policy
from federation.models import DomainPolicy
from governance.models import LogEntry, Proposal
from governance.selectors import rules_in_force
from members.models import User
from members.models.membership import MembershipStatus, Role
from members.selectors import membership_status, user_has_role
from tests.factories.governance import adopt_rules, close, open_proposal, vote
from tests.factories.members import UserFactory, make_member, make_membership

pytestmark = pytest.mark.django_db


def passed(author: User, **fields: object) -> Proposal:
    proposal = open_proposal(author, **fields)
    vote(author, proposal, 0)
    closed = close(proposal)
    assert closed.outcome == "passed"
    return closed


def test_new_rule_is_added_at_the_end() -> None:
    adopt_rules("Be kind.")
    passed(make_member(), kind="server_rule", payload={"action": "add", "text": "No ads.", "hint": "Ever."})
    assert [version.text for version in rules_in_force()] == ["Be kind.", "No ads."]
    assert LogEntry.objects.filter(kind=LogEntry.Kind.RULE_VERSION).count() == 1


def test_retired_rule_leaves_the_rules_in_force() -> None:
    (rule,) = adopt_rules("Be kind.")
    passed(make_member(), kind="server_rule", payload={"action": "retire", "rule_id": rule.rule_id})
    assert rules_in_force() == []


def test_expulsion_and_admission() -> None:
    author = make_member()
    other = make_member()
    passed(author, kind="membership", payload={"action": "expel", "user_id": other.pk, "reason": "Harassment"})
    assert membership_status(other) == MembershipStatus.EXPELLED
    applicant = UserFactory.create()
    make_membership(applicant, MembershipStatus.APPLICANT)
    proposal = passed(author, kind="membership", payload={"action": "admit", "user_id": applicant.pk, "reason": "Yes"})
    # Admission also needs the minimum shares paid: the decision stands, the refusal is recorded.
    assert "voting share(s) is not paid" in proposal.enactment["error"]
    assert membership_status(applicant) == MembershipStatus.APPLICANT


def test_role_grant() -> None:
    author = make_member()
    other = make_member()
    passed(author, kind="role_grant", payload={"user_id": other.pk, "role": Role.MODERATOR})
    assert user_has_role(other, Role.MODERATOR)
    assert LogEntry.objects.filter(kind=LogEntry.Kind.ROLE).count() == 1


def test_budget_and_content_policy_are_logged() -> None:
    author = make_member()
    passed(author, kind="budget", payload={"amount": "120", "payee": "Hosting Co", "purpose": "Servers"})
    passed(author, kind="content_policy", payload={"title": "Bots", "text": "Bots must say they are bots."})
    budget = LogEntry.objects.get(kind=LogEntry.Kind.BUDGET)
    assert budget.data["amount"] == "120.00"
    assert LogEntry.objects.get(kind=LogEntry.Kind.CONTENT_POLICY).data["title"] == "Bots"


def test_lift_removes_the_policy() -> None:
    do_set_domain_policy("calm.example", severity="silence", authorised_by="Earlier decision")
    passed(make_member(), kind="domain_policy", payload={"action": "lift", "domain": "calm.example"})
    assert not DomainPolicy.objects.exists()
    assert LogEntry.objects.filter(kind=LogEntry.Kind.DOMAIN_POLICY_LIFTED).count() == 1


def test_a_refused_enactment_is_recorded_and_the_decision_stands() -> None:
    proposal = passed(make_member(), kind="domain_policy", payload={"action": "lift", "domain": "none.example"})
    assert "has no domain policy" in proposal.enactment["error"]
    assert not LogEntry.objects.filter(kind=LogEntry.Kind.DOMAIN_POLICY_LIFTED).exists()


def test_reject_media_keeps_the_domain_federating() -> None:
    passed(make_member(), kind="domain_policy", payload={"action": "reject_media", "domain": "big.example"})
    policy = DomainPolicy.objects.get()
    assert (policy.severity, policy.reject_media) == ("noop", True)
