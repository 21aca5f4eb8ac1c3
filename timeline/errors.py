"""Errors raised when a timeline action refuses its input."""

from __future__ import annotations

from config.refusals import Refused


class StatusRefused(Refused):
    """The status cannot be posted as asked; the message says why, for the member."""


class FollowRefused(Refused):
    """The follow or follow answer cannot be done as asked; the message says why."""


class InteractionRefused(Refused):
    """The like, boost, block or vote cannot be done as asked; the message says why."""


class RequestRefused(Refused):
    """A list, filter, marker, mute or scheduled status cannot be changed as asked; the message says why."""
