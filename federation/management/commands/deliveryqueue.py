"""Show the delivery queue per remote host: counts, the next attempt, the last error and the host's state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from federation.models import RemoteHost
from federation.selectors import delivery_queue_by_host


def _when(moment: datetime, now: datetime) -> str:
    """Return a UTC time with how far it is from now, e.g. "2026-12-06 12:30:05 UTC (in 20 s)"."""
    seconds = round((moment - now).total_seconds())
    relative = f"in {seconds} s" if seconds >= 0 else f"{-seconds} s ago"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC ({relative})"


class Command(BaseCommand):
    help = (
        "Show pending, delivered, failed and abandoned deliveries per remote host and, for the rows waiting, "
        "the next attempt and the last error."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        hosts = {host.host: host for host in RemoteHost.objects.all()}
        rows = delivery_queue_by_host()
        now = timezone.now()
        self.stdout.write(f"{'host':40} {'pending':>8} {'delivered':>10} {'failed':>7} {'abandoned':>10}  state")
        for row in rows:
            state = hosts.get(str(row["host"]))
            if state is None:
                note = "ok"
            elif state.unavailable:
                note = f"unavailable (failures on {len(state.failure_days)} days)"
            elif state.circuit_open_until:
                note = f"circuit open until {state.circuit_open_until:%Y-%m-%d %H:%M}"
            else:
                note = f"{state.consecutive_failures} consecutive failures" if state.consecutive_failures else "ok"
            self.stdout.write(
                f"{row['host']!s:40} {row['pending']:>8} {row['delivered']:>10} {row['failed']:>7} "
                f"{row['abandoned']:>10}  {note}"
            )
            next_attempt_at = row["next_attempt_at"]
            if isinstance(next_attempt_at, datetime):
                self.stdout.write(f"    next attempt: {_when(next_attempt_at, now)}")
            last_error_at = row["last_error_at"]
            if isinstance(last_error_at, datetime) and row["last_error"]:
                # One line per host, however long the error: the row keeps it whole.
                error = " ".join(str(row["last_error"]).split())[:200]
                self.stdout.write(f"    last error ({_when(last_error_at, now)}): {error}")
        if not rows:
            self.stdout.write("No deliveries.")
