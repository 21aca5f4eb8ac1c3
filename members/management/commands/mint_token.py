"""Mint an OAuth access token for a scripted client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.tokens import check_mint_token, do_mint_token
from members.errors import MemberRefused
from members.models import User


class Command(BaseCommand):
    help = "Print a new OAuth access token for the user, usable as 'Authorization: Bearer <token>'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scopes", default="read write follow push", help="Space-separated scopes (default: %(default)s)."
        )
        parser.add_argument("--days", type=int, default=365, help="Days until the token expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        try:
            scopes = check_mint_token(user, options["scopes"].split())
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        token = do_mint_token(user, scopes, valid_for=timedelta(days=options["days"]))
        self.stdout.write(token.token)
