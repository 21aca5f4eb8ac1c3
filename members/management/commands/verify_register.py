"""Recompute the register's hash chain and holdings and report any fault."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from members.chain import verify_chain
from members.holdings import derived_holdings, replay_entries
from members.models import RegisterEntry


class Command(BaseCommand):
    help = "Verify the share register: recompute every entry's hash and the link to the previous one, then holdings."

    def handle(self, *args: Any, **options: Any) -> None:
        total = RegisterEntry.objects.count()
        entries = RegisterEntry.objects.order_by("sequence").iterator(chunk_size=1000)
        progress = tqdm(entries, total=total, desc="Entries", unit="entry", file=sys.stderr, disable=None)
        checked: list[RegisterEntry] = []
        for entry in progress:
            checked.append(entry)
        faults = verify_chain(checked)
        replayed = replay_entries(checked)
        derived = derived_holdings()
        problems = [f"entry #{fault.sequence}: {fault.problem}" for fault in faults]
        if replayed != derived:
            problems.append("holdings replayed from the journal differ from the derived holdings")
        problems += [
            f"holder {user_id} has a negative holding of class {class_id}"
            for (user_id, class_id), quantity in replayed.items()
            if quantity < 0
        ]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The register has {len(problems)} fault(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Register verified: {total} entries, {len(replayed)} holdings, chain intact.")
        )
