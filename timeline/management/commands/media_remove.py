"""Remove copies of remote media older than a number of days, as Mastodon's `tootctl media remove`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from timeline.actions.remote_media import do_remove_cached_remote_media


class Command(BaseCommand):
    """Delete the stored copies of remote attachments (and optionally avatars and headers); the rows stay."""

    help = (
        "Delete the copies of remote attachments cached more than --days days ago. The attachments stay "
        "and are fetched again when a client asks for them. --prune-profiles removes remote avatars and "
        "headers too (fetched again when the account is next refreshed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Take the age in days and whether to prune profile images."""
        parser.add_argument("--days", type=int, default=7, help="Remove copies older than this (default 7).")
        parser.add_argument("--prune-profiles", action="store_true", help="Remove remote avatars and headers too.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Remove the old copies and say how many were removed."""
        days = int(options["days"])
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        removed = do_remove_cached_remote_media(timedelta(days=days), prune_profiles=bool(options["prune_profiles"]))
        self.stdout.write(
            f"Removed {removed.attachments} cached remote attachments and {removed.profiles} cached profiles."
        )
