"""Django's makemessages, skipping the folders that hold none of the app's strings."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

# The virtualenv (Django's and every library's own strings), the data folder, tests and benches.
IGNORED = [".venv/*", "var/*", "tests/*", "bench/*", "deploy/*"]


class Command(makemessages.Command):
    """Extract the app's strings into `locale/`, as Django's command does, without its dependencies' strings."""

    def handle(self, *args: Any, **options: Any) -> str | None:
        """Add the project's ignored folders to those given, then extract."""
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *IGNORED]
        result: str | None = super().handle(*args, **options)
        return result
