"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def instance(request: HttpRequest) -> dict[str, object]:
    """Give templates the instance's name and address."""
    return {
        "instance_name": settings.MUTUALS_INSTANCE_NAME,
        "instance_domain": settings.MUTUALS_DOMAIN,
    }
