"""Build a member's data archive now, through the same actions as the page and the API."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.exports import check_request_export, do_build_export, do_request_export, export_path
from members.errors import MemberRefused
from members.models import DataExport, User

# How long to wait for a worker that claimed the export first.
WORKER_WAIT_SECONDS = 900.0


class Command(BaseCommand):
    help = "Build the archive of a member's data (for a member who cannot use the web app) and print its path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no member {options['username']}.")
        try:
            check_request_export(user)
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        requested = do_request_export(user)
        export = do_build_export(requested.pk) or self._built_by_a_worker(requested.pk)
        path = export_path(export)
        if path is None:
            raise CommandError("The archive could not be built.")
        self.stdout.write(str(path))

    def _built_by_a_worker(self, export_id: int) -> DataExport:
        """Wait for the worker that claimed the export before this command could, and return the finished row."""
        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        while True:
            export = DataExport.objects.get(pk=export_id)
            finished = export.state not in (DataExport.State.QUEUED, DataExport.State.RUNNING)
            if finished or time.monotonic() > deadline:
                return export
            time.sleep(0.5)
