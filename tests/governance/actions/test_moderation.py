"""Moderation cites rules in force; emergency actions lapse unless ratified; appeals go to someone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from federation.models import Actor, DomainPolicy
from governance.actions.appeals import (
    check_decide_appeal,
    check_escalate_appeal,
    check_file_appeal,
    do_decide_appeal,
    do_escalate_appeal,
    do_file_appeal,
)
from governance.actions.moderation import (
    check_take_moderation_action,
    do_lapse_emergency_actions,
    do_take_moderation_action,
)
from governance.errors import ModerationRefused
from governance.models import Appeal, LogEntry, ModerationAction, RuleVersion
from governance.selectors import account_restriction
from members.models import User
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, close, make_moderator, open_proposal, vote
from tests.factories.members import UserFactory, make_member
from tests.factories.timeline import StatusFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule() -> RuleVersion:
    return adopt_rules("No harassment.", "No spam.")[0]


def member_actor(user: User) -> Actor:
    return LocalActorFactory.create(user=user, username=user.username)


def suspend_domain(moderator: User, rule: RuleVersion, domain: str = "spam.example") -> ModerationAction:
    draft = check_take_moderation_action(
        moderator,
        kind="domain",
        rule_version_ids=[rule.pk],
        target_domain=domain,
        details={"severity": "suspend"},
    )
    return do_take_moderation_action(moderator, draft)


def test_action_without_a_cited_rule_is_refused(rule: RuleVersion) -> None:
    moderator = make_moderator()
    target = member_actor(make_member())
    with pytest.raises(ModerationRefused, match="must cite the rule"):
        check_take_moderation_action(moderator, kind="warn", rule_version_ids=[], target_account_id=target.pk)
    assert not ModerationAction.objects.exists()


def test_action_citing_a_superseded_version_is_refused(rule: RuleVersion) -> None:
    moderator = make_moderator()
    target = member_actor(make_member())
    RuleVersion.objects.create(rule=rule.rule, version=2, text="No harassment of anyone.", effective_at=timezone.now())
    with pytest.raises(ModerationRefused, match="not in force"):
        check_take_moderation_action(moderator, kind="warn", rule_version_ids=[rule.pk], target_account_id=target.pk)
    assert not ModerationAction.objects.exists()


def test_non_moderator_cannot_act(rule: RuleVersion) -> None:
    member = make_member()
    target = member_actor(make_member())
    with pytest.raises(ModerationRefused, match="Only moderators"):
        check_take_moderation_action(member, kind="warn", rule_version_ids=[rule.pk], target_account_id=target.pk)
    assert not ModerationAction.objects.exists()


def test_warning_notifies_the_member_with_the_rule(
    rule: RuleVersion, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    moderator = make_moderator()
    target = member_actor(make_member())
    draft = check_take_moderation_action(
        moderator, kind="limit", rule_version_ids=[rule.pk], target_account_id=target.pk, text="Please stop."
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = do_take_moderation_action(moderator, draft)
    assert action.authority == "Rule 1 v1"
    assert account_restriction(target) == "limit"
    assert len(mail.outbox) == 1
    assert "No harassment." in mail.outbox[0].body
    assert "Please stop." in mail.outbox[0].body
    action.refresh_from_db()
    assert action.notified_at is not None


def test_status_removal_and_sensitive_marking(rule: RuleVersion) -> None:
    moderator = make_moderator()
    status = StatusFactory.create()
    draft = check_take_moderation_action(
        moderator, kind="sensitive", rule_version_ids=[rule.pk], target_status_id=status.pk
    )
    do_take_moderation_action(moderator, draft)
    status.refresh_from_db()
    assert status.sensitive
    draft = check_take_moderation_action(
        moderator, kind="remove_status", rule_version_ids=[rule.pk], target_status_id=status.pk
    )
    action = do_take_moderation_action(moderator, draft)
    assert not type(status).objects.filter(pk=status.pk).exists()
    assert action.target_status_id == status.pk


def test_emergency_domain_suspension_lapses_without_ratification(rule: RuleVersion) -> None:
    moderator = make_moderator()
    action = suspend_domain(moderator, rule)
    assert action.emergency
    assert action.expires_at is not None
    assert DomainPolicy.objects.get(domain="spam.example").severity == "suspend"
    assert do_lapse_emergency_actions(now=action.expires_at - timedelta(seconds=1)) == []
    assert do_lapse_emergency_actions(now=action.expires_at) == [action.pk]
    assert do_lapse_emergency_actions(now=action.expires_at) == []
    action.refresh_from_db()
    assert action.state == ModerationAction.State.LAPSED
    assert not DomainPolicy.objects.exists()
    assert LogEntry.objects.filter(kind=LogEntry.Kind.EMERGENCY_LAPSED).count() == 1


def test_emergency_action_ratified_by_the_assembly_stays(rule: RuleVersion) -> None:
    moderator = make_moderator()
    action = suspend_domain(moderator, rule)
    proposal = open_proposal(moderator, title="Ratify the suspension of spam.example", ratifies=[action.pk])
    vote(moderator, proposal, 0)
    proposal = close(proposal)
    assert proposal.enactment["ratified"] == [action.pk]
    assert action.expires_at is not None
    assert do_lapse_emergency_actions(now=action.expires_at + timedelta(days=1)) == []
    action.refresh_from_db()
    assert action.state == ModerationAction.State.RATIFIED
    assert DomainPolicy.objects.get(domain="spam.example").severity == "suspend"


def test_appeal_cannot_be_decided_by_the_moderator_who_acted(rule: RuleVersion) -> None:
    moderator = make_moderator()
    other = make_moderator()
    member = make_member()
    target = member_actor(member)
    draft = check_take_moderation_action(
        moderator, kind="suspend", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    action = do_take_moderation_action(moderator, draft)
    appeal = do_file_appeal(member, action, check_file_appeal(member, action, "I did nothing wrong."))
    with pytest.raises(ModerationRefused, match="cannot decide its appeal"):
        check_decide_appeal(moderator, appeal)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.PENDING
    check_decide_appeal(other, appeal)
    do_decide_appeal(other, appeal, granted=True, note="Context was missing.")
    action.refresh_from_db()
    assert action.state == ModerationAction.State.REVERSED
    assert account_restriction(target) is None


def test_only_the_affected_member_can_appeal(rule: RuleVersion) -> None:
    moderator = make_moderator()
    target = member_actor(make_member())
    draft = check_take_moderation_action(
        moderator, kind="warn", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    action = do_take_moderation_action(moderator, draft)
    with pytest.raises(ModerationRefused, match="Only the member"):
        check_file_appeal(make_member(), action, "Unfair.")
    assert not Appeal.objects.exists()


def test_escalated_appeal_is_decided_by_the_assembly(rule: RuleVersion) -> None:
    moderator = make_moderator()
    make_moderator()
    member = make_member()
    target = member_actor(member)
    draft = check_take_moderation_action(
        moderator, kind="limit", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    action = do_take_moderation_action(moderator, draft)
    appeal = do_file_appeal(member, action, check_file_appeal(member, action, "Please reconsider."))
    with pytest.raises(ModerationRefused, match="Only the appellant or another moderator"):
        check_escalate_appeal(moderator, appeal)
    proposal = do_escalate_appeal(member, appeal, check_escalate_appeal(member, appeal))
    assert f"#{action.pk}" in proposal.title
    vote(member, proposal, 0)
    vote(moderator, proposal, 0)
    close(proposal)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.GRANTED
    assert account_restriction(target) is None


def test_appeal_nobody_else_can_decide_goes_to_the_assembly_at_once(rule: RuleVersion) -> None:
    """The only moderator took the action: filing the appeal opens a proposal that decides it."""
    moderator = make_moderator()
    member = make_member()
    target = member_actor(member)
    action = do_take_moderation_action(
        moderator,
        check_take_moderation_action(moderator, kind="limit", rule_version_ids=[rule.pk], target_account_id=target.pk),
    )
    draft = check_file_appeal(member, action, "Please reconsider.")
    assert draft.assembly is not None
    assert draft.assembly_author == member
    appeal = do_file_appeal(member, action, draft)
    assert appeal.state == Appeal.State.ESCALATED
    assert appeal.proposal is not None
    assert appeal.proposal.author == member
    assert f"#{action.pk}" in appeal.proposal.title
    assert "Please reconsider." in appeal.proposal.body
    with pytest.raises(ModerationRefused, match="already open"):
        check_file_appeal(member, action, "Again.")
    assert Appeal.objects.count() == 1
    vote(member, appeal.proposal, 0)
    vote(moderator, appeal.proposal, 0)
    close(appeal.proposal)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.GRANTED
    assert account_restriction(target) is None


def test_appeal_by_someone_who_cannot_propose_is_put_to_the_assembly_by_the_acting_moderator(
    rule: RuleVersion,
) -> None:
    moderator = make_moderator()
    user = UserFactory.create()
    target = LocalActorFactory.create(user=user, username=user.username, membership="none")
    action = do_take_moderation_action(
        moderator,
        check_take_moderation_action(moderator, kind="warn", rule_version_ids=[rule.pk], target_account_id=target.pk),
    )
    appeal = do_file_appeal(user, action, check_file_appeal(user, action, "Not me."))
    assert appeal.state == Appeal.State.ESCALATED
    assert appeal.proposal is not None
    assert appeal.proposal.author == moderator
