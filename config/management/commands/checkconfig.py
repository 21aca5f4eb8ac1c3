"""Print the mode Mutuals runs in and whether each service answers."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from config.health import check_all, check_services
from governance.selectors import proposals_with_unheld_ballot_keys


class Command(BaseCommand):
    help = (
        "Show the running mode, check the database, broker and channel layer, and report the worker's and beat's"
        " last heartbeats (failing when one is stale)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--startup",
            action="store_true",
            help=(
                "Check only the services (the worker and beat are not running yet); print nothing when healthy,"
                " on failure print one line and exit with status 1."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checks = check_services() if options["startup"] else check_all()
        failed = [check for check in checks if not check.ok]
        if options["startup"]:
            if failed:
                first = failed[0]
                sys.stderr.write(
                    f"mutuals: cannot start: {first.name} ({first.backend}) does not answer: {first.detail}\n"
                )
                raise SystemExit(1)
            return
        self.stdout.write(f"mode:     {settings.MUTUALS_MODE}")
        self.stdout.write(f"instance: {settings.MUTUALS_BASE_URL}")
        self.stdout.write(f"data dir: {settings.MUTUALS_DATA_DIR}")
        for check in checks:
            mark = "ok  " if check.ok else "FAIL"
            self.stdout.write(f"{mark} {check.name:14} {check.backend:22} {check.detail} ({check.milliseconds:.0f} ms)")
        try:
            unheld = proposals_with_unheld_ballot_keys()
        except DatabaseError:
            # An unmigrated or unreachable database holds no proposal to check; the database check says which.
            unheld = {}
        if unheld:
            proposals = sum(unheld.values())
            self.stdout.write(
                f"FAIL ballot_keys     {proposals} proposal(s) sealed under secret(s) {', '.join(unheld)} this server"
                " does not hold: their receipts cannot be shown; put the old SECRET_KEY in SECRET_KEY_FALLBACKS"
                " and run manage.py rotate_ballot_key"
            )
        if failed or unheld:
            raise SystemExit(1)
