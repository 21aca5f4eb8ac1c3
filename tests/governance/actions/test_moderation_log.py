"""Every moderation action is in the public log, citing its rule, with a local member pseudonymised."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from governance.actions.log import verify_log_chain
from governance.actions.moderation import (
    check_take_moderation_action,
    do_lapse_emergency_actions,
    do_reverse_moderation_action,
    do_take_moderation_action,
)
from governance.actions.reports import do_file_report
from governance.models import LogEntry, LogVisibility, ModerationAction, RuleVersion
from members.actions.bylaws import do_adopt_bylaws_version
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule() -> RuleVersion:
    return adopt_rules("No harassment.")[0]


def act(kind: str, rule: RuleVersion, **target: Any) -> ModerationAction:
    moderator = make_moderator()
    draft = check_take_moderation_action(
        moderator, kind=kind, rule_version_ids=[rule.pk], text="Private message to you.", **target
    )
    return do_take_moderation_action(moderator, draft)


def action_entry(action: ModerationAction) -> LogEntry:
    return LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_ACTION, data__action=action.pk)


def test_a_warning_to_a_member_is_public_pseudonymised_and_cites_its_rule(rule: RuleVersion) -> None:
    member = LocalActorFactory.create(user=make_member(username="carol_real"))
    reporter = LocalActorFactory.create(user=make_member())
    report = do_file_report(reporter, member, [], "Secret report text", "other", [])
    action = act("warn", rule, target_account_id=member.pk, report_id=report.pk)
    entry = action_entry(action)
    assert entry.visibility == LogVisibility.PUBLIC
    assert entry.summary.startswith("Warning to member #")
    assert entry.summary.endswith(f", citing Rule 1 v{rule.version}")
    assert entry.data["rule_versions"] == [rule.pk]
    assert (entry.data["target_account"], entry.data["target_status"]) == (None, None)
    public = entry.summary + json.dumps(entry.data)
    for private in ("carol_real", "Secret report text", "Private message to you."):
        assert private not in public
    assert verify_log_chain() == []


def test_a_members_pseudonym_is_stable_and_differs_from_others(rule: RuleVersion) -> None:
    carol = LocalActorFactory.create(user=make_member())
    dave = LocalActorFactory.create(user=make_member())
    first = action_entry(act("warn", rule, target_account_id=carol.pk)).data["subject"]
    again = action_entry(act("limit", rule, target_account_id=carol.pk)).data["subject"]
    other = action_entry(act("warn", rule, target_account_id=dave.pk)).data["subject"]
    assert first == again
    assert first != other
    assert first.startswith("member #")
    assert len(first) == len("member #") + 8


def test_members_are_named_once_the_bylaws_stop_pseudonymising_them(rule: RuleVersion) -> None:
    carol = LocalActorFactory.create(user=make_member(username="carol_named"))
    before = action_entry(act("warn", rule, target_account_id=carol.pk))
    do_adopt_bylaws_version({"log_pseudonymises_members": False}, authorised_by="Decision #12")
    after = action_entry(act("limit", rule, target_account_id=carol.pk))
    assert before.data["subject"].startswith("member #")
    assert before.data["target_account"] is None
    assert after.data["subject"] == "@carol_named"
    assert after.summary.startswith("Limit account of @carol_named")
    assert after.data["target_account"] == carol.pk
    assert verify_log_chain() == []


def test_a_remote_account_is_named(rule: RuleVersion) -> None:
    remote = RemoteActorFactory.create(username="spammer", domain="spam.example")
    action = act("suspend", rule, target_account_id=remote.pk, emergency=True)
    entry = action_entry(action)
    assert entry.summary == (
        f"Suspend account of @spammer@spam.example (emergency, awaiting ratification), citing Rule 1 v{rule.version}"
    )
    assert entry.data["target_account"] == remote.pk


def test_lapse_and_reversal_are_public_and_cite_the_rule(rule: RuleVersion) -> None:
    member = LocalActorFactory.create(user=make_member(username="erin_real"))
    limit = act("limit", rule, target_account_id=member.pk, emergency=True)
    assert limit.expires_at is not None
    do_lapse_emergency_actions(now=limit.expires_at + timedelta(seconds=1))
    lapsed = LogEntry.objects.get(kind=LogEntry.Kind.EMERGENCY_LAPSED)
    assert lapsed.visibility == LogVisibility.PUBLIC
    assert f"citing Rule 1 v{rule.version}" in lapsed.summary
    assert "member #" in lapsed.summary
    warning = act("warn", rule, target_account_id=member.pk)
    do_reverse_moderation_action(warning, authority="Appeal 1 granted")
    reversed_entry = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_REVERSED)
    assert reversed_entry.visibility == LogVisibility.PUBLIC
    assert reversed_entry.summary.endswith("reversed: Appeal 1 granted")
    assert "erin_real" not in lapsed.summary + reversed_entry.summary
    assert verify_log_chain() == []


def test_a_refused_action_writes_nothing_to_the_log(rule: RuleVersion) -> None:
    member = LocalActorFactory.create(user=make_member())
    before = LogEntry.objects.count()
    with pytest.raises(ValueError, match="must cite the rule"):
        check_take_moderation_action(make_moderator(), kind="warn", rule_version_ids=[], target_account_id=member.pk)
    assert LogEntry.objects.count() == before
    assert not ModerationAction.objects.exists()
