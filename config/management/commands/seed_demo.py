"""Seed the demo co-op on first run and print its credentials once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from config.demo import is_seeded, seed_demo_coop


class Command(BaseCommand):
    help = "Create the demo co-op (admin, two members, share class, charter, rules, how to pay) if not yet done."

    def handle(self, *args: Any, **options: Any) -> None:
        if is_seeded():
            self.stdout.write("Demo co-op already set up (its credentials were printed on first run).")
            return
        credentials = seed_demo_coop()
        self.stdout.write(self.style.SUCCESS("Demo co-op created. These passwords are shown only once:"))
        for credential in credentials:
            self.stdout.write(f"  {credential.role:15} {credential.username:8} password: {credential.password}")
        self.stdout.write(f"Sign in at {settings.MUTUALS_BASE_URL}/login")
