"""The log is a hash chain: any edit, removal or reordering is detected."""

from __future__ import annotations

import pytest

from governance.actions.log import GENESIS_HASH, do_append_log_entry, verify_log_chain
from governance.models import LogEntry, LogHead, LogVisibility

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
