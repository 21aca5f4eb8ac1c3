"""Inbox handlers, one per activity type; importing the package registers them all."""

from federation.inbox import follows, interactions, statuses
from federation.inbox.registry import IgnoredActivity, dispatch, dispatch_to_new_recipients, is_supported

__all__ = [
    "IgnoredActivity",
    "dispatch",
    "dispatch_to_new_recipients",
    "follows",
    "interactions",
    "is_supported",
    "statuses",
]
