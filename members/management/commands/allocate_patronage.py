"""Allocate a period's surplus as patronage, or print an allocation's statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.actions.patronage import check_allocate_patronage, do_allocate_patronage, parse_formula
from members.errors import MemberRefused
from members.models import PatronageAllocation, User


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date such as 2026-12-31.") from None


def _surplus(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError("--surplus must be an amount such as 1000.00.") from None


class Command(BaseCommand):
    help = (
        "Allocate a period's surplus: reserves first, then each --pool NAME:FRACTION:MEASURE[:CAP] "
        "(measures: dues_paid, contribution_hours, posts, shares). Name the assembly's decision with --authorised-by, "
        "or, where the bylaws leave patronage to treasurers, give --treasurer. With --show LABEL, print an "
        "allocation's statements instead; they add up to the allocated surplus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("label", help="The allocation's label, such as FY2026.")
        parser.add_argument("--show", action="store_true", help="Print the statements of an existing allocation.")
        parser.add_argument("--start", help="First day of the period (YYYY-MM-DD).")
        parser.add_argument("--end", help="Last day of the period (YYYY-MM-DD).")
        parser.add_argument("--surplus", help="The surplus to allocate, such as 1000.00.")
        parser.add_argument("--reserve", help="Fraction of the surplus kept in reserves, such as 0.3.")
        parser.add_argument("--pool", action="append", default=[], help="NAME:FRACTION:MEASURE[:CAP]; repeatable.")
        parser.add_argument("--authorised-by", default="", help="The assembly decision that approved it.")
        parser.add_argument("--treasurer", help="Username of the treasurer allocating, where the bylaws allow.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["show"]:
            allocation = PatronageAllocation.objects.filter(label__iexact=options["label"]).first()
            if allocation is None:
                raise CommandError(f"No allocation labelled {options['label']!r}.")
            self._show(allocation)
            return
        missing = [name for name in ("start", "end", "surplus", "reserve") if not options[name]]
        if missing or not options["pool"]:
            raise CommandError(f"Give --{', --'.join(missing or ['pool'])}.")
        treasurer = None
        if options["treasurer"]:
            treasurer = User.objects.filter(username__iexact=options["treasurer"]).first()
            if treasurer is None:
                raise CommandError(f"No user named {options['treasurer']!r}.")
        pools = []
        for text in options["pool"]:
            parts = text.split(":")
            if len(parts) not in (3, 4):
                raise CommandError(f"A pool is NAME:FRACTION:MEASURE[:CAP], not {text!r}.")
            pools.append(dict(zip(("name", "fraction", "measure", "cap"), parts, strict=False)))
        try:
            draft = check_allocate_patronage(
                options["label"],
                period_start=_day(options["start"], "--start"),
                period_end=_day(options["end"], "--end"),
                surplus=_surplus(options["surplus"]),
                formula=parse_formula(options["reserve"], pools),
                authorised_by=options["authorised_by"],
                actor_user=treasurer,
            )
        except MemberRefused as exc:
            raise CommandError(str(exc)) from None
        self._show(do_allocate_patronage(draft))

    def _show(self, allocation: PatronageAllocation) -> None:
        statements = allocation.statements.select_related("user").order_by("user__username", "pool")
        for statement in statements:
            self.stdout.write(
                f"{statement.user.username}\t{statement.pool}\t{statement.measure_value} {statement.measure}\t"
                f"{statement.amount} {allocation.currency}"
            )
        total = sum((statement.amount for statement in statements), Decimal(0))
        self.stdout.write(
            f"{allocation.label}: surplus {allocation.surplus}, reserves {allocation.reserve_amount}, "
            f"allocated to members {total} {allocation.currency}."
        )
