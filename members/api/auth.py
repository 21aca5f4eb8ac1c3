"""The signed-in member behind a client-API request, for the views of the apps above members."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from members.models import User


def token_user(request: HttpRequest) -> User:
    """Return the user of a request that passed `require_token`."""
    return cast(User, request.user)
