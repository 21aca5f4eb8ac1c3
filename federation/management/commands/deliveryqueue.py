"""Show the delivery queue per remote host, with each host's availability."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from federation.models import RemoteHost
from federation.selectors import delivery_queue_by_host


class Command(BaseCommand):
    help = "Show pending, delivered, failed and abandoned deliveries per remote host."

    def handle(self, *args: Any, **options: Any) -> None:
        hosts = {host.host: host for host in RemoteHost.objects.all()}
        rows = delivery_queue_by_host()
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
        if not rows:
            self.stdout.write("No deliveries.")
