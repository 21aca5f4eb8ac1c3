"""The client API's preferences resource."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from config.api.auth import require_token, required_actor
from config.api.errors import api_view


@api_view("GET")
@require_token("read:accounts")
def preferences(request: HttpRequest) -> JsonResponse:
    """Return the member's posting defaults (set with update_credentials' `source[...]` or in the web app).

    Reading preferences are not stored: media and spoilers follow the app.
    """
    user = required_actor(request).user
    return JsonResponse(
        {
            "posting:default:visibility": user.default_visibility if user is not None else "public",
            "posting:default:sensitive": user.default_sensitive if user is not None else False,
            "posting:default:language": (user.default_language or None) if user is not None else None,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )
