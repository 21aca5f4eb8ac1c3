"""Amounts are written once, the same way everywhere: the language's number format, then the currency."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from members.money import format_money


def test_an_amount_takes_the_languages_separators_and_keeps_its_currency() -> None:
    assert format_money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    with translation.override("fr"):
        assert format_money(Decimal("1234.5"), "EUR") == "1\xa0234,50 EUR"
    with translation.override("es"):
        assert format_money(Decimal("10"), "USD") == "10,00 USD"
