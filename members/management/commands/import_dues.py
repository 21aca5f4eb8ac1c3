"""Import dues payments from a CSV export (a payment platform's, or a spreadsheet's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.dues import check_import_dues_csv, do_import_dues_csv
from members.errors import MemberRefused
from members.models import User


class Command(BaseCommand):
    help = (
        "Record dues payments from a CSV with columns member (username or email), amount, paid_on (or date) "
        "and optionally currency, period (YYYY-MM), months, external_id (or reference). If one row is refused "
        "nothing is recorded and every refused row is named. Rows whose reference was imported before are "
        "skipped, so an export can be imported again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file to import.")
        parser.add_argument("--treasurer", required=True, help="Username of the treasurer recording the payments.")

    def handle(self, *args: Any, **options: Any) -> None:
        treasurer = User.objects.filter(username__iexact=options["treasurer"]).first()
        if treasurer is None:
            raise CommandError(f"No user named {options['treasurer']!r}.")
        try:
            text = Path(options["path"]).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc.strerror}.") from None
        try:
            checked = check_import_dues_csv(text, recorded_by=treasurer)
        except MemberRefused as exc:
            raise CommandError(f"Refused: {exc}") from None
        payments = do_import_dues_csv(checked, recorded_by=treasurer)
        self.stdout.write(f"Recorded {len(payments)} payment(s); skipped {checked.skipped} imported before.")
