"""Build a member's data archive now, through the same actions as the page and the API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.exports import check_request_export, do_build_export, do_request_export, export_path
from members.errors import MemberRefused
from members.models import User


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
        export = do_build_export(do_request_export(user).pk)
        path = export_path(export) if export is not None else None
        if path is None:
            raise CommandError("The archive could not be built.")
        self.stdout.write(str(path))
