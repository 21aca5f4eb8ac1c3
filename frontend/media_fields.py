"""Form fields for a picture's description and focal point, shared by compose and edit."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from timeline.actions.media import MAX_DESCRIPTION_CHARACTERS
from timeline.models import MediaAttachment

# An upload's fields, each named `media_<id>_<field>`.
ATTACHMENT_FIELDS = ("description", "focus_x", "focus_y")


def focal_point_fields(x: float | None = None, y: float | None = None) -> tuple[forms.FloatField, forms.FloatField]:
    """Return the across and down fields of a focal point, each from -1 to 1, as the client API's `focus` takes it."""
    across = forms.FloatField(
        label=_("Focal point, across (-1 left to 1 right)"), required=False, min_value=-1, max_value=1, initial=x
    )
    down = forms.FloatField(
        label=_("Focal point, down (1 top to -1 bottom)"), required=False, min_value=-1, max_value=1, initial=y
    )
    return across, down


def add_attachment_fields(form: forms.Form, items: Sequence[MediaAttachment]) -> None:
    """Add each upload's description and focal point fields, named by its id, as the edit form always had them."""
    for number, item in enumerate(items, start=1):
        form.fields[f"media_{item.pk}_description"] = forms.CharField(
            label=_("Description of attachment %(n)s") % {"n": number},
            required=False,
            max_length=MAX_DESCRIPTION_CHARACTERS,
            initial=item.description,
        )
        across, down = focal_point_fields(item.focus_x, item.focus_y)
        form.fields[f"media_{item.pk}_focus_x"] = across
        form.fields[f"media_{item.pk}_focus_y"] = down


AttachmentRow = tuple[MediaAttachment, list[BoundField]]


def attachment_rows(form: forms.Form, items: Sequence[MediaAttachment]) -> list[AttachmentRow]:
    """Return each upload with its description and focal point fields, for a template."""
    return [(item, [form[f"media_{item.pk}_{name}"] for name in ATTACHMENT_FIELDS]) for item in items]


def attachment_attributes(form: forms.Form, items: Sequence[MediaAttachment]) -> list[dict[str, str]]:
    """Return the uploads' cleaned descriptions and focal points in the client API's `media_attributes` shape.

    Only what the form sent is returned, so a post without an upload's fields (an older form, a script) leaves
    its description and focal point as they were, as `media_attributes` without them does.
    """
    attributes = []
    for item in items:
        prefix = f"media_{item.pk}_"
        attribute = {"id": str(item.pk)}
        if prefix + "description" in form.data:
            attribute["description"] = form.cleaned_data.get(prefix + "description") or ""
        if prefix + "focus_x" in form.data or prefix + "focus_y" in form.data:
            x, y = form.cleaned_data.get(prefix + "focus_x"), form.cleaned_data.get(prefix + "focus_y")
            attribute["focus"] = f"{x or 0.0},{y or 0.0}"
        attributes.append(attribute)
    return attributes
