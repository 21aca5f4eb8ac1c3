"""Who may change the co-op's ownership: the assembly by a decision, or, where the bylaws allow, a treasurer."""

from __future__ import annotations

from members.errors import NotPermitted
from members.models import Role, User
from members.selectors import user_has_role


def check_ownership_authority(
    reserved: bool, *, actor_user: User | None, authorised_by: str, reserved_message: str
) -> None:
    """Refuse a change without its authority: a decision where reserved, else a treasurer or admin."""
    if authorised_by.strip():
        return
    if reserved:
        raise NotPermitted(reserved_message)
    if actor_user is None or not (user_has_role(actor_user, Role.TREASURER) or user_has_role(actor_user, Role.ADMIN)):
        raise NotPermitted("Only a treasurer or an admin may make this change.")
