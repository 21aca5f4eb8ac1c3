"""Add, remove or list the co-op's custom emoji from the command line (the server's operators)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.refusals import Refused
from governance.actions.custom_emojis import do_add_custom_emoji, do_retire_custom_emoji
from timeline.actions.custom_emojis import check_create_custom_emoji, check_remove_custom_emoji
from timeline.selectors import local_custom_emojis

OPERATOR = "the server's operators"


class Command(BaseCommand):
    help = (
        "Add (add SHORTCODE FILE), remove (remove SHORTCODE) or list the co-op's custom emoji; each change is logged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Add an emoji from a PNG, GIF or WebP file (at most 256 KB).")
        add.add_argument("shortcode")
        add.add_argument("file", type=Path)
        add.add_argument("--category", default="")
        add.add_argument("--hidden", action="store_true", help="Keep it out of apps' emoji pickers.")
        remove = commands.add_parser("remove", help="Remove an emoji.")
        remove.add_argument("shortcode")
        commands.add_parser("list", help="List the emoji.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["command"] == "add":
                self._add(options)
            elif options["command"] == "remove":
                emoji = check_remove_custom_emoji(options["shortcode"])
                do_retire_custom_emoji(emoji, authority=OPERATOR)
                self.stdout.write(f"Removed :{emoji.shortcode}:.")
            else:
                for emoji in local_custom_emojis():
                    flags = " (hidden)" if not emoji.visible_in_picker else ""
                    self.stdout.write(f":{emoji.shortcode}: {emoji.category or '-'}{flags}")
        except Refused as exc:
            raise CommandError(exc.message) from None

    def _add(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open("rb") as source:
            draft = check_create_custom_emoji(
                options["shortcode"],
                source,
                size=path.stat().st_size,
                category=options["category"],
                visible_in_picker=not options["hidden"],
            )
        emoji, _sequence = do_add_custom_emoji(draft, authority=OPERATOR)
        self.stdout.write(f"Added :{emoji.shortcode}:.")
