#!/usr/bin/env python
"""Run Mutuals' administrative commands."""

import importlib
import os
import sys

from config.env import exit_on_config_error


def main() -> None:
    """Load the settings (one clear line if they are wrong), then run the command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    with exit_on_config_error():
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    # Imported only now: Django reads the settings module on import.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
