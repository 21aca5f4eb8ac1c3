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
    web shows the reason alone (`str()`). Mastodon names the failing field
    before the reason ("Scheduled at The scheduled date ..."): `field` holds
    that name for the API's wording, and the web leaves it out.
    """

    def __init__(self, message: str = "", *, field: str = "", status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.field = field

    @property
    def message(self) -> str:
        """Return the reason as Mastodon words a failed validation."""
        reason = super().message
        return f"Validation failed: {self.field} {reason}" if self.field else f"Validation failed: {reason}"


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
