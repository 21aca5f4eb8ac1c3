"""The deletion receipt: which servers were (or will be) told, and whether each acknowledged.

Before erasure it lists the servers to be told, computed afresh; afterwards
each server's state is read from the delivery rows of the Delete
activities, so the receipt changes as retries finish.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from federation.actions.erasure import content_inboxes, hosts_of
from federation.models import Delivery
from members.models import AccountDeletion

ACKNOWLEDGED = "acknowledged"
PENDING = "pending"
FAILED = "failed"
TO_BE_TOLD = "to be told"
NOT_CONTACTED = "not contacted"


@dataclass(frozen=True)
class ServerNotice:
    """One server's part in the receipt."""

    host: str
    state: str
    deliveries: int
    acknowledged: int
    last_attempt_error: str
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class DeletionReceipt:
    """Everything the receipt shows."""

    handle: str
    state: str
    requested_at: datetime
    erase_after: datetime
    erased_at: datetime | None
    cancelled_at: datetime | None
    servers: list[ServerNotice]
    kept: list[dict[str, str]]

    def counts(self) -> dict[str, int]:
        """Return how many servers are in each state."""
        totals: dict[str, int] = {}
        for server in self.servers:
            totals[server.state] = totals.get(server.state, 0) + 1
        return totals

    def to_json(self) -> dict[str, Any]:
        """Return the receipt as the downloadable JSON document."""
        body = asdict(self)
        for key in ("requested_at", "erase_after", "erased_at", "cancelled_at"):
            body[key] = body[key].isoformat() if body[key] else None
        for server in body["servers"]:
            server["acknowledged_at"] = server["acknowledged_at"].isoformat() if server["acknowledged_at"] else None
        body["counts"] = self.counts()
        return body


def _server_state(states: list[str]) -> str:
    if any(state == Delivery.State.PENDING for state in states):
        return PENDING
    if all(state == Delivery.State.DELIVERED for state in states):
        return ACKNOWLEDGED
    return FAILED


def deletion_receipt(deletion: AccountDeletion) -> DeletionReceipt:
    """Return the receipt of a deletion in its current state."""
    servers: list[ServerNotice] = []
    if deletion.state == AccountDeletion.State.ERASED:
        by_host: dict[str, list[tuple[str, str, datetime | None]]] = {}
        rows = Delivery.objects.filter(activity_id__in=deletion.activity_ids).values_list(
            "host", "state", "last_error", "delivered_at"
        )
        for host, state, error, delivered_at in rows:
            by_host.setdefault(host, []).append((state, error, delivered_at))
        for host in dict.fromkeys([*deletion.servers, *sorted(by_host)]):
            found = by_host.get(host)
            if not found:
                servers.append(ServerNotice(host, NOT_CONTACTED, 0, 0, "", None))
                continue
            states = [state for state, _, _ in found]
            errors = [error for _, error, _ in found if error]
            times = [at for _, _, at in found if at is not None]
            done = all(state == Delivery.State.DELIVERED for state in states)
            servers.append(
                ServerNotice(
                    host=host,
                    state=_server_state(states),
                    deliveries=len(found),
                    acknowledged=states.count(Delivery.State.DELIVERED),
                    last_attempt_error=errors[-1] if errors else "",
                    acknowledged_at=max(times) if times and done else None,
                )
            )
    elif deletion.state == AccountDeletion.State.SCHEDULED:
        hosts = list(dict.fromkeys([*deletion.servers, *hosts_of(content_inboxes(deletion.actor))]))
        servers = [ServerNotice(host, TO_BE_TOLD, 0, 0, "", None) for host in hosts]
    return DeletionReceipt(
        handle=deletion.handle,
        state=deletion.state,
        requested_at=deletion.requested_at,
        erase_after=deletion.erase_after,
        erased_at=deletion.erased_at,
        cancelled_at=deletion.cancelled_at,
        servers=servers,
        kept=list(deletion.kept),
    )


def receipt_text(receipt: DeletionReceipt) -> str:
    """Return the receipt as plain text (the emailed and downloadable readable form)."""
    lines = [f"Deletion receipt for {receipt.handle}", f"State: {receipt.state}"]
    lines.append(f"Requested: {receipt.requested_at:%Y-%m-%d %H:%M} UTC")
    if receipt.erased_at:
        lines.append(f"Erased: {receipt.erased_at:%Y-%m-%d %H:%M} UTC")
    else:
        lines.append(f"Erasure after: {receipt.erase_after:%Y-%m-%d %H:%M} UTC")
    lines.append("")
    lines.append("Servers:")
    lines += [f"  {server.host}: {server.state}" for server in receipt.servers] or ["  (none)"]
    lines.append("")
    lines.append("Kept, and why:")
    lines += [f"  {item['record']}: {item['basis']}" for item in receipt.kept]
    return "\n".join(lines) + "\n"
