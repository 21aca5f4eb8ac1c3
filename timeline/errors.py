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


class ValidationFailed(RequestRefused):
    """A list, filter, pin or schedule fails validation; the message says why.

    The client API answers `message`, which reads as Mastodon's failed record
    validation ("Validation failed: <reason>"), the form clients match on; the
    web shows the reason alone (`str()`).
    """

    @property
    def message(self) -> str:
        """Return the reason as Mastodon words a failed validation."""
        return f"Validation failed: {super().message}"


class RecordNotFound(InteractionRefused):
    """The status or account acted on is out of reach (not visible, not followed); the message says why, for the web.

    The client API answers Mastodon's 404 "Record not found" instead, as for a
    record that does not exist, so that private records cannot be probed.
    """

    status = 404

    @property
    def message(self) -> str:
        """Return Mastodon's answer for a record that is not there."""
        return "Record not found"


class RemoteMediaUnavailable(Refused):
    """A remote file cannot be fetched: refused destination, no answer, an error status or too large."""

    status = 404


class EmojiRefused(Refused):
    """The custom emoji cannot be added or removed as asked; the message says why."""
