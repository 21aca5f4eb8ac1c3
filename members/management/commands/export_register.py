"""Export the share register as CSV, as of any date."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from members.exports import JOURNAL_HEADER, REGISTER_HEADER, journal_entries, journal_row, register_rows
from members.holdings import register_as_of


class Command(BaseCommand):
    help = "Write the register (holdings, or the journal of operations) as CSV, as it stood on a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="Date (YYYY-MM-DD); default today.")
        parser.add_argument("--journal", action="store_true", help="Export the journal of operations, with hashes.")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError:
            raise CommandError("--as-of must be a date such as 2026-01-31.") from None
        if options["journal"]:
            header, rows = JOURNAL_HEADER, [journal_row(entry) for entry in journal_entries(as_of)]
        else:
            header, rows = REGISTER_HEADER, register_rows(register_as_of(as_of))
        if options["output"]:
            with Path(options["output"]).open("w", newline="", encoding="utf-8") as target:
                self._write(target, header, rows)
            self.stderr.write(f"Wrote {len(rows)} row(s) to {options['output']}.")
        else:
            self._write(self.stdout, header, rows)

    def _write(self, target: Any, header: list[str], rows: list[list[str]]) -> None:
        writer = csv.writer(target)
        writer.writerow(header)
        for row in tqdm(rows, desc="Rows", unit="row", file=sys.stderr, disable=None):
            writer.writerow(row)
