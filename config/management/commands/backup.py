"""Write the instance's database, media, private files and key files to one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backups import BackupError, Instance, do_backup


class Command(BaseCommand):
    help = "Back up the instance (database, media, private files, data-folder keys) into one archive file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The archive to write; it must not exist yet.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = do_backup(Instance.from_settings(), options["path"])
        except BackupError as exc:
            raise CommandError(f"Backup refused: {exc}") from None
        size = sum(int(entry["size"]) for entry in manifest.files.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {manifest.mode} instance to {options['path']}: "
                f"{len(manifest.files)} files, {size} bytes ({manifest.tool})."
            )
        )
