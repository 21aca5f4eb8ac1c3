"""The client API's preferences resource."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from config.api.errors import api_view
from members.api.auth import require_token, required_actor


@api_view("GET")
@require_token("read:accounts")
def preferences(request: HttpRequest) -> JsonResponse:
    """Return the member's posting and reading preferences.

    Members have no stored preferences yet, so every member has the defaults
    the web app uses: public posts, no language forced, spoilers collapsed.
    """
    required_actor(request)
    return JsonResponse(
        {
            "posting:default:visibility": "public",
            "posting:default:sensitive": False,
            "posting:default:language": None,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )
