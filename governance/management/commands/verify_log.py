"""Check the transparency log's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from governance.actions.log import verify_log_chain
from governance.models import LogEntry


class Command(BaseCommand):
    help = "Recompute every log entry's hash and link; exit with an error naming each entry that does not match."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_log_chain()
        for problem in problems:
            self.stderr.write(f"entry {problem.sequence}: {problem.reason}")
        if problems:
            raise CommandError(f"The log's chain is broken ({len(problems)} problem(s)).")
        self.stdout.write(f"The log's chain is intact ({LogEntry.objects.count()} entries).")
