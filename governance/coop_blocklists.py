"""Read another co-op's domain decisions from its public transparency log, over ActivityPub.

A co-op running Mutuals publishes every public log entry as a `Create` of a
`Note` by its instance actor, the entry itself (with its hash) in the
`mutualsLogEntry` property, and lists them in the instance actor's outbox.
A blocklist mandate may name such a co-op as a source: its assembly's
enacted domain policies are then applied here with their provenance (which
proposal, when it closed, by what vote), so co-ops federate their moderation
decisions without trusting one list keeper.

Only what the peer's assembly decided counts (`domain_policy.set` and
`domain_policy.lifted` entries, which cite the proposal and its closing
entry); its moderators' own actions do not. An entry whose hash does not
match its content, or that another actor published, is ignored and named as
a problem. This reader is written here because the entries are Mutuals' own
format; fetching goes through federation's signed, guarded transport.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from governance.actions.log import compute_entry_hash
from governance.blocklist_csv import SEVERITIES, BlocklistEntry
from governance.models import LogEntry

# A peer's log is read whole on each import; this bounds the work (50 entries a page).
MAX_LOG_PAGES = 200
POLICY_FIELDS = ("reject_media", "reject_reports", "obfuscate")


class CoopLogUnreadable(Exception):
    """A co-op's log could not be read as a whole; the message says why."""


@dataclass(frozen=True)
class CoopDecision:
    """A domain policy a peer co-op's assembly decided and still holds, with where it comes from."""

    entry: BlocklistEntry
    provenance: str


@dataclass
class CoopLog:
    """What reading a co-op's log found: the decisions in force, and the entries set aside."""

    decisions: list[CoopDecision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _same_host(url: Any, host: str, what: str) -> str:
    if not isinstance(url, str) or _host(url) != host:
        raise CoopLogUnreadable(f"The co-op's {what} is not on {host}.")
    return url


def _entry_of(item: Any, actor_id: str) -> dict[str, Any] | None:
    """Return the log entry an outbox item carries, if it is the co-op's own publication of one."""
    if not isinstance(item, dict) or item.get("type") != "Create" or item.get("actor") != actor_id:
        return None
    note = item.get("object")
    if not isinstance(note, dict) or note.get("attributedTo") != actor_id:
        return None
    entry = note.get("mutualsLogEntry")
    return entry if isinstance(entry, dict) else None


def entry_hash_matches(entry: dict[str, Any]) -> bool:
    """Return whether a published entry's hash is the one its content gives."""
    try:
        expected = compute_entry_hash(
            sequence=int(entry["sequence"]),
            kind=str(entry["kind"]),
            visibility=str(entry["visibility"]),
            summary=str(entry["summary"]),
            data=entry["data"],
            created_at=datetime.fromisoformat(str(entry["created_at"])),
            previous_hash=str(entry["previous_hash"]),
        )
    except (KeyError, TypeError, ValueError):
        return False
    return isinstance(entry.get("entry_hash"), str) and expected == entry["entry_hash"]


def read_log_entries(actor_url: str, fetch: Callable[[str], dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the public entries of the co-op whose instance actor is at `actor_url`, oldest first, and problems.

    `fetch` returns a document from a URL (a signed GET); the actor's outbox
    and every page must be on the actor's host.
    """
    host = _host(actor_url)
    actor = fetch(actor_url)
    actor_id = _same_host(actor.get("id"), host, "actor")
    collection = fetch(_same_host(actor.get("outbox"), host, "log"))
    first = collection.get("first")
    page_url: Any = first.get("id") if isinstance(first, dict) else first
    entries: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    for _ in range(MAX_LOG_PAGES):
        if page_url is None:
            break
        page = fetch(_same_host(page_url, host, "log page"))
        items = page.get("orderedItems")
        for item in items if isinstance(items, list) else []:
            entry = _entry_of(item, actor_id)
            if entry is None:
                continue
            if not entry_hash_matches(entry):
                problems.append(f"{host}: log entry #{entry.get('sequence')} does not match its hash; ignored.")
                continue
            entries[int(entry["sequence"])] = entry
        page_url = page.get("next")
    if page_url is not None:
        problems.append(f"{host}: the log is longer than {MAX_LOG_PAGES} pages; the rest was not read.")
    return [entries[sequence] for sequence in sorted(entries)], problems


def _provenance(host: str, entry: dict[str, Any], closings: dict[int, dict[str, Any]]) -> str:
    data = entry["data"]
    closing = closings.get(data.get("result_entry")) if isinstance(data.get("result_entry"), int) else None
    decided = f"Proposal #{data.get('proposal')} of {host}"
    if closing is not None:
        reason = str(closing["data"].get("reason", "")).strip()
        decided += f", {closing['data'].get('outcome', 'closed')} on {str(closing['created_at'])[:10]}"
        if reason:
            decided += f" ({reason.rstrip('.')})"
    return f"{decided}, their log entry #{entry['sequence']}"


def _decided_entry(domain: str, details: dict[str, Any]) -> BlocklistEntry | None:
    severity = details.get("severity")
    if severity not in SEVERITIES:
        return None
    comment = details.get("public_comment", "")
    return BlocklistEntry(
        domain=domain,
        severity=str(severity),
        public_comment=comment if isinstance(comment, str) else "",
        **{name: details.get(name) is True for name in POLICY_FIELDS},
    )


def read_coop_decisions(actor_url: str, fetch: Callable[[str], dict[str, Any]]) -> CoopLog:
    """Return the domain policies the co-op's assembly decided and has not lifted, each with its provenance."""
    host = _host(actor_url)
    entries, problems = read_log_entries(actor_url, fetch)
    result = CoopLog(problems=problems)
    closings = {entry["sequence"]: entry for entry in entries if entry["kind"] == LogEntry.Kind.PROPOSAL_CLOSED}
    in_force: dict[str, CoopDecision] = {}
    for entry in entries:
        data = entry["data"] if isinstance(entry["data"], dict) else {}
        domain = data.get("domain")
        if not isinstance(domain, str) or not isinstance(data.get("proposal"), int):
            continue
        if entry["kind"] == LogEntry.Kind.DOMAIN_POLICY_LIFTED:
            in_force.pop(domain, None)
        elif entry["kind"] == LogEntry.Kind.DOMAIN_POLICY:
            details = data.get("details")
            decided = _decided_entry(domain, details) if isinstance(details, dict) else None
            if decided is None:
                result.problems.append(f"{host}: log entry #{entry['sequence']} states no policy this server knows.")
                continue
            in_force[domain] = CoopDecision(entry=decided, provenance=_provenance(host, entry, closings))
    result.decisions = [in_force[domain] for domain in sorted(in_force)]
    return result
