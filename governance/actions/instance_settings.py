"""Change the server's public name and contact (administrators, or a proposal that passed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from governance.errors import GovernanceRefused
from governance.models import InstanceSettings
from members.models import Role, User
from members.selectors import user_has_role

MAX_TITLE_LENGTH = 100


@dataclass(frozen=True)
class InstanceSettingsDraft:
    """Checked settings, ready to store."""

    title: str
    contact_email: str


def check_update_instance_settings(admin: User, *, title: str, contact_email: str) -> InstanceSettingsDraft:
    """Refuse anyone but an administrator, a name that is too long, or an address that is not one."""
    if not (admin.is_superuser or user_has_role(admin, Role.ADMIN)):
        raise GovernanceRefused("Only administrators can change the instance settings.")
    return check_instance_settings_values(title=title, contact_email=contact_email)


def check_instance_settings_values(*, title: str, contact_email: str) -> InstanceSettingsDraft:
    """Refuse a name that is too long or an address that is not one (the rule for admins and proposals alike)."""
    title = title.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise GovernanceRefused(f"The name is limited to {MAX_TITLE_LENGTH} characters.")
    contact_email = contact_email.strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise GovernanceRefused("The contact address is not a valid email address.") from None
    return InstanceSettingsDraft(title=title, contact_email=contact_email)


def do_update_instance_settings(admin: User | None, draft: InstanceSettingsDraft) -> InstanceSettings:
    """Store checked settings; `admin` is None when a proposal that passed changes them."""
    with transaction.atomic():
        row, _ = InstanceSettings.objects.select_for_update().get_or_create(pk=1)
        row.title = draft.title
        row.contact_email = draft.contact_email
        row.updated_by = admin
        row.save(update_fields=["title", "contact_email", "updated_by", "updated_at"])
    return row
