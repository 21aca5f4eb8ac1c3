"""List, create and change share classes from the command line."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.share_classes import (
    check_change_share_class,
    check_create_share_class,
    do_change_share_class,
    do_create_share_class,
)
from members.errors import MemberRefused
from members.models import ShareClass


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"{text!r} is not a number.") from None


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value not in ("yes", "no"):
        raise CommandError(f"Answer yes or no, not {value!r}.")
    return value == "yes"


class Command(BaseCommand):
    help = (
        "List share classes, or create or change one. Where the bylaws reserve share classes to the assembly, "
        "--authorised-by names the decision; a class that carries a vote gives each member one vote, whatever "
        "they hold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "create", "change"])
        parser.add_argument("name", nargs="?", help="The class's name (create), or its current name (change).")
        parser.add_argument("--rename", help="New name (change).")
        parser.add_argument("--nominal-value", help="Value of one share, such as 10.00.")
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--min", type=int, dest="min_per_member", help="Minimum holding per member.")
        parser.add_argument("--max", type=int, dest="max_per_member", help="Maximum holding per member.")
        parser.add_argument("--no-max", action="store_true", help="Remove the maximum holding (change).")
        parser.add_argument("--carries-vote", choices=["yes", "no"])
        parser.add_argument("--transferable", choices=["yes", "no"])
        parser.add_argument("--redeemable", choices=["yes", "no"])
        parser.add_argument("--authorised-by", default="", help="The decision that made the change.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for share_class in ShareClass.objects.order_by("pk"):
                vote = "one vote per member" if share_class.carries_vote else "no vote"
                value = f"{share_class.nominal_value} {share_class.currency}"
                self.stdout.write(
                    f"{share_class.pk}\t{share_class.name}\t{value}\t{vote}\t"
                    f"holding {share_class.min_per_member}-{share_class.max_per_member or 'any'}\t"
                    f"{'redeemable' if share_class.redeemable else 'not redeemable'}"
                )
            return
        if not options["name"]:
            raise CommandError("Name the share class.")
        try:
            if options["action"] == "create":
                nominal_value = _decimal(options["nominal_value"])
                if nominal_value is None:
                    raise CommandError("--nominal-value is required.")
                draft = check_create_share_class(
                    options["name"],
                    nominal_value,
                    min_per_member=1 if options["min_per_member"] is None else options["min_per_member"],
                    max_per_member=options["max_per_member"],
                    currency=options["currency"],
                    carries_vote=_flag(options["carries_vote"]) is not False,
                    transferable=bool(_flag(options["transferable"])),
                    redeemable=_flag(options["redeemable"]) is not False,
                    authorised_by=options["authorised_by"],
                )
                share_class = do_create_share_class(draft)
            else:
                found = ShareClass.objects.filter(name__iexact=options["name"]).first()
                if found is None:
                    raise CommandError(f"No share class named {options['name']!r}.")
                change = check_change_share_class(
                    found,
                    name=options["rename"],
                    nominal_value=_decimal(options["nominal_value"]),
                    min_per_member=options["min_per_member"],
                    max_per_member=options["max_per_member"],
                    clear_max=options["no_max"],
                    carries_vote=_flag(options["carries_vote"]),
                    transferable=_flag(options["transferable"]),
                    redeemable=_flag(options["redeemable"]),
                    authorised_by=options["authorised_by"],
                )
                share_class = do_change_share_class(change)
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Share class {share_class.name} ({share_class.pk}) saved.")
