"""Fixtures for the streaming tests: members with tokens, and a way to post as them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from federation.models import Actor
from tests.factories.oauth import AccessTokenFactory
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Status


def token_for(actor: Actor, scope: str = "read") -> str:
    """Return a fresh access token of the actor's user."""
    return str(AccessTokenFactory.create(user=actor.user, scope=scope).token)


def post(author: Actor, text: str, visibility: str = "public", **kwargs: Any) -> Status:
    """Post a status through the action, as every interface does."""
    return do_create_status(author, check_create_status(author, text=text, visibility=visibility, **kwargs))


apost = database_sync_to_async(post)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async scenario from a synchronous test; database calls go back to the test's thread."""
    async_to_sync(scenario)()


def decoded(message: dict[str, Any]) -> Any:
    """Return the payload of a streamed message, decoded once more as clients do."""
    return json.loads(message["payload"])
