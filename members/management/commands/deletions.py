"""Show account deletions: scheduled ones with their date, erased ones with how many servers acknowledged."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from members.deletion_receipt import deletion_receipt
from members.models import AccountDeletion


class Command(BaseCommand):
    help = "List account deletions and, for erased accounts, each receipt's servers by state."

    def handle(self, *args: Any, **options: Any) -> None:
        deletions = AccountDeletion.objects.exclude(state=AccountDeletion.State.CANCELLED).order_by("requested_at")
        for deletion in deletions:
            receipt = deletion_receipt(deletion)
            if deletion.state == AccountDeletion.State.SCHEDULED:
                when = f"erasure after {deletion.erase_after:%Y-%m-%d %H:%M}"
            else:
                when = f"erased {deletion.erased_at:%Y-%m-%d %H:%M}" if deletion.erased_at else "erased"
            counts = ", ".join(f"{state}: {count}" for state, count in sorted(receipt.counts().items())) or "no servers"
            self.stdout.write(f"{deletion.handle:40} {when:32} {counts}")
        if not deletions:
            self.stdout.write("No account deletions.")
