"""Fixtures for governance API tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from members.models import User
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory


class TokenClient:
    """A test client that presents a bearer token with the given scopes."""

    def __init__(self, user: User, scope: str = "read write") -> None:
        self.user = user
        self.token = AccessTokenFactory.create(user=user, scope=scope).token
        self.client = Client(headers=bearer(self.token))

    def post_form(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """POST form-encoded fields, as Mastodon.py and most clients send them."""
        body = urlencode(data or {}, doseq=True)
        return self.client.post(path, body, content_type="application/x-www-form-urlencoded")


@pytest.fixture
def token_client() -> type[TokenClient]:
    """Return the TokenClient class, to build clients for users made in the test."""
    return TokenClient
