"""Each payload kind is applied when its proposal passes, and logged citing the result."""

from __future__ import annotations

import pytest

from federation.actions.domain_policies import do_set_domain_policy
from federation.models import DomainPolicy
from governance.actions import enactment
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.models import LogEntry, ModerationAction, Proposal
from governance.selectors import rules_in_force
from members.models import User
from members.models.membership import MembershipStatus, Role
from members.selectors import membership_status, user_has_role
from tests.factories.governance import adopt_rules, close, make_moderator, open_proposal, vote
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


def test_lift_reverses_the_domain_actions_with_their_log_entries() -> None:
    (rule,) = adopt_rules("No spam.")
    moderator = make_moderator()
    draft = check_take_moderation_action(
        moderator,
        kind="domain",
        rule_version_ids=[rule.pk],
        target_domain="spam.example",
        details={"severity": "suspend"},
    )
    action = do_take_moderation_action(moderator, draft)
    proposal = passed(make_member(), kind="domain_policy", payload={"action": "lift", "domain": "spam.example"})
    action.refresh_from_db()
    assert action.state == ModerationAction.State.REVERSED
    assert action.ended_at is not None
    reversal = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_REVERSED)
    assert reversal.data == {
        "action": action.pk,
        "kind": "domain",
        "subject": "spam.example",
        "authority": proposal.authority,
    }
    assert not DomainPolicy.objects.exists()
    assert proposal.enactment["reversed_actions"] == [action.pk]
    assert LogEntry.objects.filter(kind=LogEntry.Kind.DOMAIN_POLICY_LIFTED).count() == 1


def test_an_error_that_is_no_refusal_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    author = make_member()
    proposal = open_proposal(author, kind="content_policy", payload={"title": "Bots", "text": "Say so."})
    vote(author, proposal, 0)

    def broken(*args: object, **kwargs: object) -> LogEntry:
        raise ValueError("a bug, not a refusal")

    monkeypatch.setattr(enactment, "do_append_log_entry", broken)
    with pytest.raises(ValueError, match="a bug"):
        close(proposal)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.OPEN


def test_a_stored_payload_that_no_longer_reads_is_recorded_as_not_applied() -> None:
    author = make_member()
    proposal = open_proposal(author, kind="role_grant", payload={"user_id": author.pk, "role": Role.MODERATOR})
    Proposal.objects.filter(pk=proposal.pk).update(payload={"user_id": author.pk, "role": "emperor"})
    vote(author, proposal, 0)
    closed = close(proposal)
    assert closed.outcome == "passed"
    assert closed.enactment["error"].startswith("role must be one of")
    assert not user_has_role(author, Role.MODERATOR)


def test_a_grant_to_someone_whose_account_is_gone_is_refused_not_crashed() -> None:
    author = make_member()
    other = make_member()
    proposal = open_proposal(author, kind="role_grant", payload={"user_id": other.pk, "role": Role.MODERATOR})
    vote(author, proposal, 0)
    Proposal.objects.filter(pk=proposal.pk).update(payload={"user_id": other.pk + 1000, "role": Role.MODERATOR})
    closed = close(proposal)
    assert "no longer has an account" in closed.enactment["error"]
