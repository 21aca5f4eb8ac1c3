"""Append to the transparency log and verify its chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from federation.actions.outbox import publish_to_instance_followers
from governance.log_activities import log_entry_create
from governance.models import LogEntry, LogHead, LogVisibility

GENESIS_HASH = "0" * 64
# Before migration 0007 summaries were stored cut to this length but hashed in full.
LEGACY_SUMMARY_LIMIT = 500
TRUNCATED_SUMMARY = (
    "summary was cut to 500 characters when stored (before summaries were kept in full), "
    "so its hash cannot be rechecked"
)


def canonical_json(value: Any) -> str:
    """Return JSON with sorted keys and no spaces, the form every hash here covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_entry_hash(
    *,
    sequence: int,
    kind: str,
    visibility: str,
    summary: str,
    data: dict[str, Any],
    created_at: datetime,
    previous_hash: str,
) -> str:
    """Return the SHA-256 that chains an entry to the one before it."""
    document = {
        "sequence": sequence,
        "kind": kind,
        "visibility": visibility,
        "summary": summary,
        "data": data,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def do_append_log_entry(
    kind: LogEntry.Kind, *, summary: str, data: dict[str, Any], visibility: LogVisibility = LogVisibility.PUBLIC
) -> LogEntry:
    """Add an entry at the end of the chain; part of the caller's transaction.

    A public entry is also delivered to the peers that follow the instance
    actor; members' and moderators' entries never leave the server.
    """
    with transaction.atomic():
        head, _ = LogHead.objects.select_for_update().get_or_create(pk=1, defaults={"entry_hash": GENESIS_HASH})
        # Round-trip through JSON so the hash covers exactly what the database returns.
        data = json.loads(canonical_json(data))
        created_at = timezone.now()
        sequence = head.sequence + 1
        entry_hash = compute_entry_hash(
            sequence=sequence,
            kind=kind,
            visibility=visibility,
            summary=summary,
            data=data,
            created_at=created_at,
            previous_hash=head.entry_hash,
        )
        entry = LogEntry.objects.create(
            sequence=sequence,
            kind=kind,
            visibility=visibility,
            summary=summary,
            data=data,
            created_at=created_at,
            previous_hash=head.entry_hash,
            entry_hash=entry_hash,
        )
        head.sequence = sequence
        head.entry_hash = entry_hash
        head.save(update_fields=["sequence", "entry_hash"])
        if visibility == LogVisibility.PUBLIC:
            # Delivery rows are written with the entry, so both commit or
            # neither does; they are sent only after the commit.
            publish_to_instance_followers(log_entry_create(entry))
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """An entry that does not fit the chain, and why."""

    sequence: int
    reason: str


def verify_log_chain() -> list[ChainProblem]:
    """Recompute every entry's hash and link; return the problems found (none when intact)."""
    problems: list[ChainProblem] = []
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    for entry in LogEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            problems.append(ChainProblem(entry.sequence, f"sequence {expected_sequence} is missing"))
        if entry.previous_hash != previous_hash:
            problems.append(ChainProblem(entry.sequence, "previous hash does not match the entry before"))
        recomputed = compute_entry_hash(
            sequence=entry.sequence,
            kind=entry.kind,
            visibility=entry.visibility,
            summary=entry.summary,
            data=entry.data,
            created_at=entry.created_at,
            previous_hash=entry.previous_hash,
        )
        if recomputed != entry.entry_hash:
            # An entry of exactly the old limit may be one stored cut: say so,
            # since its original text is gone, but still count it as unverified.
            legacy = len(entry.summary) == LEGACY_SUMMARY_LIMIT
            problems.append(
                ChainProblem(entry.sequence, TRUNCATED_SUMMARY if legacy else "content does not match its hash")
            )
        previous_hash = entry.entry_hash
        expected_sequence = entry.sequence + 1
    head = LogHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence != expected_sequence - 1 or head.entry_hash != previous_hash):
        problems.append(ChainProblem(head.sequence, "the chain's head does not match its last entry"))
    return problems
