"""Bylaws settings' values as the reader's language writes them, for the pages that show the bylaws."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext

from governance.tally.outcome import localised_percent
from members.actions.bylaws import FRACTION_SETTINGS


def shown_setting_value(name: str, value: object) -> str:
    """Return a bylaws setting's value for a page: fractions as percentages, flags as yes or no, numbers grouped.

    What is stored or logged keeps `governance.payloads.setting_value`'s
    wording; this is only what a reader sees.
    """
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if name in FRACTION_SETTINGS and isinstance(value, Decimal):
        return localised_percent(value)
    if isinstance(value, int | Decimal):
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)
