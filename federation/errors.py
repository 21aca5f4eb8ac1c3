"""Errors raised when a federation action refuses its input."""

from __future__ import annotations

from config.refusals import Refused


class DomainPolicyRefused(Refused):
    """The domain policy cannot be set or lifted as asked; the message says why."""


class RemoteActorUnavailable(ValueError):
    """A remote actor could not be fetched, or its document failed the origin checks."""


class ActivityRefused(Refused):
    """An incoming activity is refused; `status` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status=status)
