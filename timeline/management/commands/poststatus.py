"""Post a status as a local member from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from federation.models import Actor
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.errors import StatusRefused
from timeline.models import POSTING_VISIBILITIES, Visibility


class Command(BaseCommand):
    help = "Post a status as a local member; prints its URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("text")
        parser.add_argument("--visibility", default=Visibility.PUBLIC, choices=POSTING_VISIBILITIES)
        parser.add_argument("--spoiler-text", default="", help="Content warning.")

    def handle(self, *args: Any, **options: Any) -> None:
        author = Actor.objects.select_related("user").filter(domain="", username__iexact=options["username"]).first()
        if author is None:
            raise CommandError(f"No local account named {options['username']!r}.")
        try:
            draft = check_create_status(
                author, text=options["text"], visibility=options["visibility"], spoiler_text=options["spoiler_text"]
            )
        except StatusRefused as exc:
            raise CommandError(str(exc)) from None
        status = do_create_status(author, draft)
        self.stdout.write(status.url)
