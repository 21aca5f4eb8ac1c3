"""Log summaries are said again from the entry's data only where the data holds all they say."""

from __future__ import annotations

from governance.log_headlines import log_entry_headline
from governance.models import LogEntry


def entry(kind: str, summary: str, data: dict[str, object]) -> LogEntry:
    return LogEntry(kind=kind, summary=summary, data=data)


def test_proposal_entries_are_said_again_and_read_as_stored_in_english() -> None:
    opened = entry(LogEntry.Kind.PROPOSAL_OPENED, "Proposal #4 opened: Quiet hours", {"proposal": 4})
    closed = entry(
        LogEntry.Kind.PROPOSAL_CLOSED, "Proposal #4 no quorum: Quiet hours", {"proposal": 4, "outcome": "no_quorum"}
    )
    assert log_entry_headline(opened) == opened.summary
    assert log_entry_headline(closed) == closed.summary


def test_other_entries_and_unexpected_summaries_show_as_stored() -> None:
    rule = entry(LogEntry.Kind.RULE_VERSION, "Rule 2 v3 adopted by Proposal #4", {"proposal": 4})
    odd = entry(LogEntry.Kind.PROPOSAL_OPENED, "Opened by hand", {"proposal": 4})
    assert log_entry_headline(rule) == rule.summary
    assert log_entry_headline(odd) == odd.summary
