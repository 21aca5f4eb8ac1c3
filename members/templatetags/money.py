"""The `money` filter: `{{ amount|money:currency }}` (see `members.money.format_money`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from members.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | int | None, currency: str) -> str:
    """Return the amount with its currency in the reader's language."""
    return format_money(amount, currency)
