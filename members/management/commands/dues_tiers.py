"""List, create and change the dues tiers of the sliding scale from the command line."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.dues import (
    DuesTierDraft,
    check_change_dues_tier,
    check_create_dues_tier,
    do_change_dues_tier,
    do_create_dues_tier,
    tier_settings,
)
from members.errors import MemberRefused
from members.models import DuesTier, User


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"{text!r} is not a number.") from None


class Command(BaseCommand):
    help = (
        "List dues tiers, or create or change one: as a treasurer (--treasurer), or, where the bylaws reserve "
        "dues tiers to the assembly, naming the decision (--authorised-by)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "create", "change"])
        parser.add_argument("name", nargs="?", help="The tier's name (create), or its current name (change).")
        parser.add_argument("--rename")
        parser.add_argument("--monthly-amount")
        parser.add_argument("--period-months", type=int, choices=[1, 3, 12])
        parser.add_argument("--sliding-scale-max", help="Top of the sliding scale; 'none' for a fixed amount.")
        parser.add_argument("--hardship-waiver", choices=["yes", "no"])
        parser.add_argument("--currency")
        parser.add_argument("--description")
        parser.add_argument("--treasurer", help="Username of the treasurer making the change.")
        parser.add_argument("--authorised-by", default="", help="The decision that made the change.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for tier in DuesTier.objects.order_by("monthly_amount", "pk"):
                scale = f"-{tier.sliding_scale_max}" if tier.sliding_scale_max is not None else ""
                waiver = "\thardship waiver" if tier.hardship_waiver else ""
                self.stdout.write(
                    f"{tier.pk}\t{tier.name}\t{tier.monthly_amount}{scale} {tier.currency}/month\t"
                    f"paid every {tier.period_months} month(s){waiver}"
                )
            return
        if not options["name"]:
            raise CommandError("Name the dues tier.")
        treasurer = None
        if options["treasurer"]:
            treasurer = User.objects.filter(username__iexact=options["treasurer"]).first()
            if treasurer is None:
                raise CommandError(f"No user named {options['treasurer']!r}.")
        existing = None
        if options["action"] == "change":
            existing = DuesTier.objects.filter(name__iexact=options["name"]).first()
            if existing is None:
                raise CommandError(f"No dues tier named {options['name']!r}.")
        base = tier_settings(existing) if existing else DuesTierDraft(options["name"], Decimal(0))
        settings = self._settings(base, options)
        try:
            if existing is None:
                draft = check_create_dues_tier(settings, actor_user=treasurer, authorised_by=options["authorised_by"])
                tier = do_create_dues_tier(draft)
            else:
                change = check_change_dues_tier(
                    existing, settings, actor_user=treasurer, authorised_by=options["authorised_by"]
                )
                tier = do_change_dues_tier(change)
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Dues tier {tier.name} ({tier.pk}) saved.")

    def _settings(self, base: DuesTierDraft, options: dict[str, Any]) -> DuesTierDraft:
        top = options["sliding_scale_max"]
        return replace(
            base,
            name=options["rename"] or base.name,
            monthly_amount=_decimal(options["monthly_amount"]) if options["monthly_amount"] else base.monthly_amount,
            period_months=options["period_months"] or base.period_months,
            sliding_scale_max=base.sliding_scale_max
            if top is None
            else (None if top.lower() == "none" else _decimal(top)),
            hardship_waiver=base.hardship_waiver
            if options["hardship_waiver"] is None
            else options["hardship_waiver"] == "yes",
            currency=options["currency"] or base.currency,
            description=base.description if options["description"] is None else options["description"],
        )
