"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from governance.selectors import instance_title
from members.selectors import user_has_role


def instance(request: HttpRequest) -> dict[str, object]:
    """Give templates the instance's name and address, and whether the viewer moderates."""
    user = getattr(request, "user", None)
    return {
        "instance_name": instance_title(),
        "instance_domain": settings.MUTUALS_DOMAIN,
        "is_moderator": bool(user is not None and user.is_authenticated and user_has_role(user, "moderator")),
    }
