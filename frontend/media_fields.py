"""Form fields for a picture's focal point, shared by compose and edit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def focal_point_fields(x: float | None = None, y: float | None = None) -> tuple[forms.FloatField, forms.FloatField]:
    """Return the across and down fields of a focal point, each from -1 to 1, as the client API's `focus` takes it."""
    across = forms.FloatField(
        label=_("Focal point, across (-1 left to 1 right)"), required=False, min_value=-1, max_value=1, initial=x
    )
    down = forms.FloatField(
        label=_("Focal point, down (1 top to -1 bottom)"), required=False, min_value=-1, max_value=1, initial=y
    )
    return across, down
