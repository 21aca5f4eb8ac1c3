"""Errors raised when a timeline action refuses its input."""

from __future__ import annotations


class StatusRefused(ValueError):
    """The status cannot be posted as asked; the message says why, for the member."""


class FollowRefused(ValueError):
    """The follow or follow answer cannot be done as asked; the message says why."""


class InteractionRefused(ValueError):
    """The like, boost, block or vote cannot be done as asked; the message says why."""


class RequestRefused(ValueError):
    """A list, filter, marker, mute or scheduled status cannot be changed as asked; the message says why."""
