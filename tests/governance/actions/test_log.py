"""The log is a hash chain: any edit, removal or reordering is detected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from governance.actions.log import (
    GENESIS_HASH,
    LEGACY_SUMMARY_LIMIT,
    TRUNCATED_SUMMARY,
    do_append_log_entry,
    verify_log_chain,
)
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.models import LogEntry, LogHead, LogVisibility
from tests.factories.governance import adopt_rules, make_moderator
from tests.governance.api.conftest import TokenClient

pytestmark = pytest.mark.django_db


def append(count: int) -> list[LogEntry]:
    return [
        do_append_log_entry(LogEntry.Kind.BUDGET, summary=f"entry {index}", data={"index": index, "note": "é"})
        for index in range(count)
    ]


def test_entries_chain_from_genesis() -> None:
    first, second, third = append(3)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert [entry.sequence for entry in (first, second, third)] == [1, 2, 3]
    assert LogHead.objects.get().entry_hash == third.entry_hash
    assert verify_log_chain() == []


def test_edited_entry_is_detected() -> None:
    append(3)
    LogEntry.objects.filter(sequence=2).update(summary="rewritten")
    problems = verify_log_chain()
    assert [(problem.sequence, problem.reason) for problem in problems] == [(2, "content does not match its hash")]


def test_edited_visibility_is_detected() -> None:
    append(2)
    LogEntry.objects.filter(sequence=1).update(visibility=LogVisibility.MODERATORS)
    assert [problem.sequence for problem in verify_log_chain()] == [1]


def test_removed_entry_is_detected() -> None:
    append(3)
    LogEntry.objects.filter(sequence=2).delete()
    reasons = {problem.reason for problem in verify_log_chain()}
    assert "sequence 2 is missing" in reasons
    assert "previous hash does not match the entry before" in reasons


def test_removed_last_entry_is_detected_by_the_head() -> None:
    append(2)
    LogEntry.objects.filter(sequence=2).delete()
    assert [problem.reason for problem in verify_log_chain()] == ["the chain's head does not match its last entry"]


def test_long_summary_is_stored_in_full_and_verifies() -> None:
    """The hash covers exactly what is stored, however long the summary."""
    summary = "x" * 5000
    entry = do_append_log_entry(LogEntry.Kind.BUDGET, summary=summary, data={})
    assert LogEntry.objects.get(pk=entry.pk).summary == summary
    assert verify_log_chain() == []


def test_moderation_action_citing_many_rules_on_a_long_domain_verifies() -> None:
    """A real moderation action whose log summary runs past 500 characters keeps the chain intact."""
    versions = adopt_rules(*(f"Rule number {index}." for index in range(60)))
    moderator = make_moderator()
    domain = ".".join(["a" * 60, "b" * 60, "c" * 60, "d" * 60, "example"])
    draft = check_take_moderation_action(
        moderator,
        kind="domain",
        rule_version_ids=[version.pk for version in versions],
        target_domain=domain,
        details={"severity": "silence"},
    )
    action = do_take_moderation_action(moderator, draft)
    entry = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_ACTION, data__action=action.pk)
    assert len(entry.summary) > 500
    assert domain in entry.summary
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert "intact" in out.getvalue()


def test_entry_cut_before_full_summaries_is_named_as_such() -> None:
    """A row stored cut to 500 characters by older code is reported as unverifiable, apart from edits."""
    long_entry = do_append_log_entry(LogEntry.Kind.BUDGET, summary="y" * 700, data={})
    do_append_log_entry(LogEntry.Kind.BUDGET, summary="after", data={})
    LogEntry.objects.filter(pk=long_entry.pk).update(summary="y" * LEGACY_SUMMARY_LIMIT)
    problems = verify_log_chain()
    assert [(problem.sequence, problem.reason) for problem in problems] == [(1, TRUNCATED_SUMMARY)]


def test_a_long_domain_block_through_the_admin_api_keeps_verify_log_green() -> None:
    """End to end: Mastodon's admin API, a long domain and every rule cited, then `manage.py verify_log`."""
    versions = adopt_rules(*(f"Rule number {index}." for index in range(60)))
    moderator = TokenClient(make_moderator(), scope="admin:read admin:write")
    domain = ".".join(["e" * 63, "f" * 63, "g" * 63, "example"])
    response = moderator.post_form(
        "/api/v1/admin/domain_blocks",
        {"domain": domain, "severity": "silence", "rule_ids[]": [str(version.rule_id) for version in versions]},
    )
    assert response.status_code == 200, response.content
    entry = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_ACTION)
    assert len(entry.summary) > 500
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert "The log's chain is intact" in out.getvalue()
