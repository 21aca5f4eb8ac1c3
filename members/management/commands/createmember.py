"""Create an account on this server from the command line."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from members.actions.accounts import check_create_account, do_create_account
from members.actions.enrolment import OPERATOR_AUTHORITY, do_enrol_member
from members.errors import MemberRefused


class Command(BaseCommand):
    help = (
        "Create a member account (and its federation actor) holding a paid member share. "
        "Prints a generated password if none is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--admin", action="store_true", help="Give the account admin rights.")
        parser.add_argument("--password", help="Password to set (default: a generated one, printed once).")
        parser.add_argument("--email", default="", help="Email address.")
        parser.add_argument("--display-name", default="", help="Name shown on the profile.")
        parser.add_argument(
            "--applicant", action="store_true", help="Leave the account an applicant (no share, not admitted)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            request = check_create_account(
                options["username"],
                email=options["email"],
                password=password,
                display_name=options["display_name"],
            )
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            user = do_create_account(request, is_admin=options["admin"])
            if not options["applicant"]:
                do_enrol_member(user, approved_by=None, authorised_by=OPERATOR_AUTHORITY)
        role = "admin" if options["admin"] else "applicant" if options["applicant"] else "member"
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.username}."))
        if not options["password"]:
            self.stdout.write(f"Password (shown once): {password}")
