"""Import the blocklists of the mandates in force now, as the daily schedule does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.actions.blocklists import BlocklistImport, do_import_blocklist, do_import_blocklists
from governance.models import BlocklistMandate


class Command(BaseCommand):
    help = "Apply the blocks listed by each blocklist mandate's sources, citing the mandate; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mandate", type=int, help="Import only this mandate's sources.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["mandate"] is not None:
            mandate = BlocklistMandate.objects.select_related("proposal").filter(pk=options["mandate"]).first()
            if mandate is None:
                raise CommandError(f"No blocklist mandate #{options['mandate']}.")
            results = [do_import_blocklist(mandate)]
        else:
            results = do_import_blocklists()
            if not results:
                self.stdout.write("No blocklist mandate is in force.")
        for result in results:
            self._report(result)

    def _report(self, result: BlocklistImport) -> None:
        self.stdout.write(
            f"Blocklist mandate #{result.mandate_id}: {len(result.created)} applied, {len(result.changed)} changed, "
            f"{result.unchanged} unchanged, {len(result.skipped)} left under another authority, "
            f"{len(result.problems)} problem(s)."
        )
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
