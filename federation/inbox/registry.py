"""The registry of inbox handlers, one per activity type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from federation.models import Actor

Handler = Callable[[Actor, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


class IgnoredActivity(Exception):
    """The activity is valid but has nothing to act on here (an unknown object, a duplicate)."""


def handles(*types: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of these activity types."""

    def register(handler: Handler) -> Handler:
        for kind in types:
            HANDLERS[kind] = handler
        return handler

    return register


def dispatch(actor: Actor, activity: dict[str, Any]) -> None:
    """Run the handler of the activity's type, raising IgnoredActivity for a type without one."""
    handler = HANDLERS.get(str(activity.get("type")))
    if handler is None:
        raise IgnoredActivity(f"No handler for {activity.get('type')!r}.")
    handler(actor, activity)
