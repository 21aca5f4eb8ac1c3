"""Import contribution hours from a CSV (a working group's timesheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.working_groups import check_import_contributions_csv, do_import_contributions_csv
from members.errors import MemberRefused
from members.models import User


class Command(BaseCommand):
    help = (
        "Record contribution hours from a CSV with columns member (username or email), hours, date (YYYY-MM-DD), "
        "group (a working group's name) and optionally description. If one row is refused nothing is recorded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file to import.")
        parser.add_argument("--recorder", required=True, help="Username of the group member (or admin) recording.")

    def handle(self, *args: Any, **options: Any) -> None:
        recorder = User.objects.filter(username__iexact=options["recorder"]).first()
        if recorder is None:
            raise CommandError(f"No user named {options['recorder']!r}.")
        try:
            text = Path(options["path"]).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc.strerror}.") from None
        try:
            records = do_import_contributions_csv(check_import_contributions_csv(text, recorded_by=recorder))
        except MemberRefused as exc:
            raise CommandError(f"Refused: {exc}") from None
        self.stdout.write(f"Recorded {len(records)} contribution(s).")
