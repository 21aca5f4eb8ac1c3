"""Proposals' log summaries: written once in the source language, said again in the reader's language.

A summary is stored in the source language and covered by the entry's
hash: it is the record and never changes. The opening and the closing of a
proposal are written here and, since their data names everything they say,
said again here in the reader's language; every other entry shows its
stored summary.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from governance.models import LogEntry
from governance.tally.outcome import Outcome


def proposal_opened_summary(number: int, title: str) -> str:
    """Return the stored summary of a proposal's opening."""
    return f"Proposal #{number} opened: {title}"


def proposal_closed_summary(number: int, outcome: str, title: str) -> str:
    """Return the stored summary of a proposal's closing, in the source language whoever closes it."""
    with translation.override(None):
        return f"Proposal #{number} {str(Outcome(outcome).label).lower()}: {title}"


def _closed_template(outcome: str) -> str:
    if outcome == Outcome.PASSED:
        return gettext("Proposal #%(number)s passed: %(title)s")
    if outcome == Outcome.NO_QUORUM:
        return gettext("Proposal #%(number)s no quorum: %(title)s")
    return gettext("Proposal #%(number)s failed: %(title)s")


def log_entry_headline(entry: LogEntry) -> str:
    """Return the entry's summary in the reader's language, or as stored when it cannot be said again."""
    data = entry.data if isinstance(entry.data, dict) else {}
    number = data.get("proposal")
    if not isinstance(number, int):
        return entry.summary
    if entry.kind == LogEntry.Kind.PROPOSAL_OPENED:
        prefix, template = proposal_opened_summary(number, ""), gettext("Proposal #%(number)s opened: %(title)s")
    elif entry.kind == LogEntry.Kind.PROPOSAL_CLOSED and data.get("outcome") in Outcome.values:
        prefix, template = proposal_closed_summary(number, data["outcome"], ""), _closed_template(data["outcome"])
    else:
        return entry.summary
    if not entry.summary.startswith(prefix):
        return entry.summary
    return template % {"number": number, "title": entry.summary.removeprefix(prefix)}
