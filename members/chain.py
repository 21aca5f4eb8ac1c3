"""The register's hash chain: how each entry's hash is computed and how the chain is checked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from members.models import RegisterEntry
from members.models.register import GENESIS_HASH


def entry_payload(entry: RegisterEntry) -> dict[str, object]:
    """Return the fields an entry's hash covers, as plain JSON values."""
    return {
        "sequence": entry.sequence,
        "kind": entry.kind,
        "share_class": entry.share_class_id,
        "from_user": entry.from_user_id,
        "to_user": entry.to_user_id,
        "quantity": entry.quantity,
        "price_per_share": f"{entry.price_per_share:.2f}",
        "amount": f"{entry.amount:.2f}",
        "effective_date": entry.effective_date.isoformat(),
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(),
        "approved_by": entry.approved_by_id,
        "authorised_by": entry.authorised_by,
        "request": entry.request_id,
        "reverses": entry.reverses_id,
        "payout_due": entry.payout_due.isoformat() if entry.payout_due else None,
        "note": entry.note,
        "previous_hash": entry.previous_hash,
    }


def compute_entry_hash(entry: RegisterEntry) -> str:
    """Return the SHA-256 of the entry's canonical JSON, which includes the previous hash."""
    canonical = json.dumps(entry_payload(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainFault:
    """An entry whose stored hash, link or sequence does not match the chain."""

    sequence: int
    problem: str


def verify_chain(entries: Iterable[RegisterEntry]) -> list[ChainFault]:
    """Recompute the chain over entries in sequence order and return every fault found."""
    faults: list[ChainFault] = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for entry in entries:
        if entry.sequence != expected_sequence:
            faults.append(ChainFault(entry.sequence, f"expected sequence {expected_sequence}"))
        if entry.previous_hash != expected_previous:
            faults.append(ChainFault(entry.sequence, "link to the previous entry is broken"))
        if compute_entry_hash(entry) != entry.entry_hash:
            faults.append(ChainFault(entry.sequence, "contents do not match the recorded hash"))
        expected_previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    return faults
