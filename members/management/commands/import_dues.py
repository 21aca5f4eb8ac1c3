"""Import dues payments from a CSV export (a payment platform's, or a spreadsheet's)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from members.actions.dues import check_import_dues_row, do_import_dues_row, parse_dues_csv
from members.errors import MemberRefused
from members.models import DuesPayment, User


class Command(BaseCommand):
    help = (
        "Record dues payments from a CSV with columns member (username or email), amount, paid_on "
        "and optionally currency, period (YYYY-MM), months, external_id. Rows whose external_id was "
        "imported before are skipped, so an export can be imported again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file to import.")
        parser.add_argument("--treasurer", required=True, help="Username of the treasurer recording the payments.")

    def handle(self, *args: Any, **options: Any) -> None:
        treasurer = User.objects.filter(username__iexact=options["treasurer"]).first()
        if treasurer is None:
            raise CommandError(f"No user named {options['treasurer']!r}.")
        try:
            rows = parse_dues_csv(Path(options["path"]).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc.strerror}.") from None
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        recorded = skipped = 0
        refusals: list[str] = []
        for row in tqdm(rows, desc="Payments", unit="row", file=sys.stderr, disable=None):
            imported = DuesPayment.objects.filter(source=DuesPayment.Source.IMPORT, external_id=row.external_id)
            if row.external_id and imported.exists():
                skipped += 1
                continue
            try:
                draft = check_import_dues_row(row, recorded_by=treasurer)
            except MemberRefused as exc:
                refusals.append(str(exc))
                continue
            do_import_dues_row(draft, recorded_by=treasurer)
            recorded += 1
        self.stdout.write(f"Recorded {recorded} payment(s); skipped {skipped} imported before.")
        if refusals:
            for refusal in refusals:
                self.stderr.write(refusal)
            raise CommandError(f"{len(refusals)} row(s) refused; the others were recorded.")
