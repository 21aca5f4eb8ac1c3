"""Inbox handlers, one per activity type; importing the package registers them all."""

from federation.inbox import follows, interactions, statuses
from federation.inbox.registry import HANDLERS, IgnoredActivity, dispatch

__all__ = ["HANDLERS", "IgnoredActivity", "dispatch", "follows", "interactions", "statuses"]
