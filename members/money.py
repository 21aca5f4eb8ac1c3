"""Amounts of money as people read them: the number in their language's format, then the currency."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """Return an amount with its currency in the reader's language ("1,234.50 USD", "1 234,50 USD").

    Every page that shows an amount goes through here, so that a form's
    choices and a table never write the same amount two ways.
    """
    number = number_format(Decimal(amount or 0).quantize(Decimal("0.01")), decimal_pos=2, force_grouping=True)
    return gettext("%(amount)s %(currency)s") % {"amount": number, "currency": currency}
