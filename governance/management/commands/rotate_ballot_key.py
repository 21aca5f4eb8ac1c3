"""Seal every proposal's tracker key again under the current SECRET_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from governance.actions.ballots import do_reseal_tracker_keys
from governance.ballot_keys import BallotKeyUnavailable, current_key_id


class Command(BaseCommand):
    help = (
        "Seal every proposal's tracker key under the current SECRET_KEY, reading keys sealed under an "
        "older one from SECRET_KEY_FALLBACKS. Trackers and receipts do not change. Run it after changing "
        "SECRET_KEY (with the old one in SECRET_KEY_FALLBACKS); then the old secret can be dropped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            resealed = do_reseal_tracker_keys()
        except BallotKeyUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Sealed {resealed} proposal key(s) under ballot key {current_key_id()}.")
