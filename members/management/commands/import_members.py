"""Import existing members (for a co-op moving its member list here) with their joining dates."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from members.actions.accounts import check_create_account, do_create_account
from members.actions.enrolment import do_enrol_member
from members.errors import MemberRefused

IMPORT_AUTHORITY = "Imported member list"


class Command(BaseCommand):
    help = (
        "Create members from a CSV with columns username, email and joined_on (YYYY-MM-DD), each holding "
        "the paid member share from that date. Accounts get no password: members set one by password reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file to import.")
        parser.add_argument("--authorised-by", default=IMPORT_AUTHORITY, help="Authority recorded for each entry.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = Path(options["path"]).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc.strerror}.") from None
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and not {"username", "email", "joined_on"} <= set(rows[0]):
            raise CommandError("The CSV needs the columns username, email and joined_on.")
        created, refusals = 0, []
        for line, row in enumerate(tqdm(rows, desc="Members", unit="row", file=sys.stderr, disable=None), start=2):
            try:
                joined = date.fromisoformat((row.get("joined_on") or "").strip())
            except ValueError:
                refusals.append(f"Line {line}: joined_on must be a date such as 2019-05-01.")
                continue
            try:
                account = check_create_account(
                    (row.get("username") or "").strip(), email=(row.get("email") or "").strip()
                )
            except MemberRefused as exc:
                refusals.append(f"Line {line}: {exc}")
                continue
            with transaction.atomic():
                user = do_create_account(account)
                do_enrol_member(
                    user,
                    approved_by=None,
                    authorised_by=options["authorised_by"],
                    at=datetime.combine(joined, time(12), tzinfo=UTC),
                )
            created += 1
        self.stdout.write(f"Imported {created} member(s).")
        if refusals:
            for refusal in refusals:
                self.stderr.write(refusal)
            raise CommandError(f"{len(refusals)} row(s) refused; the others were imported.")
