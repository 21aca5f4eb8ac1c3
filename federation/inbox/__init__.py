"""The inbox's handler registry; the apps register their handlers in their `AppConfig.ready()`."""

from federation.inbox.registry import (
    IgnoredActivity,
    Received,
    dispatch,
    dispatch_batch,
    dispatch_to_new_recipients,
    is_supported,
    read_activity,
    takes_batches,
)

__all__ = [
    "IgnoredActivity",
    "Received",
    "dispatch",
    "dispatch_batch",
    "dispatch_to_new_recipients",
    "is_supported",
    "read_activity",
    "takes_batches",
]
