"""Inbox handlers, one per activity type; importing the package registers them all."""

from federation.inbox import follows, interactions, statuses
from federation.inbox.registry import (
    IgnoredActivity,
    Received,
    dispatch,
    dispatch_batch,
    dispatch_to_new_recipients,
    is_supported,
    takes_batches,
)

__all__ = [
    "IgnoredActivity",
    "Received",
    "dispatch",
    "dispatch_batch",
    "dispatch_to_new_recipients",
    "follows",
    "interactions",
    "is_supported",
    "statuses",
    "takes_batches",
]
