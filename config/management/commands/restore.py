"""Restore an archive written by `manage.py backup`, then verify the register and the log."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backups import BackupError, Instance, check_restore, do_restore, key_differs

VERIFICATIONS = ("verify_register", "verify_log")


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this (stopped, empty) instance, then run verify_register and verify_log "
        "on the restored data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The archive written by manage.py backup.")
        parser.add_argument("--force", action="store_true", help="Replace a database that already holds data.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            draft = check_restore(Instance.from_settings(), options["path"], force=options["force"])
            do_restore(draft)
        except BackupError as exc:
            raise CommandError(f"Restore refused: {exc}") from None
        manifest = draft.manifest
        self.stdout.write(
            f"Restored {len(manifest.files)} files from the {manifest.mode} backup made {manifest.created_at} "
            f"by Mutuals {manifest.software_version}."
        )
        if key_differs(manifest):
            self.stderr.write(
                "Warning: this instance's SECRET_KEY is not the one the backup was made with (backups never hold "
                "it); sessions, and the ballot receipts of secret votes, will not be recognised. Set the old "
                "SECRET_KEY (embedded: copy the old data folder's secret_key file) to keep them."
            )
        failed = []
        for name in VERIFICATIONS:
            out, err = StringIO(), StringIO()
            try:
                call_command(name, stdout=out, stderr=err)
            except CommandError as exc:
                failed.append(name)
                self.stderr.write(f"{name}: {exc}\n{err.getvalue().strip()}")
            else:
                self.stdout.write(f"{name}: {out.getvalue().strip()}")
        if failed:
            raise CommandError(f"The restored data failed {', '.join(failed)}; see above.")
        self.stdout.write(self.style.SUCCESS("Restore complete; the register and the log verify."))
