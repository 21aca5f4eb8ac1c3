"""The one base of every refusal an action raises, so each interface maps refusals to answers once.

An action's `check_*` raises a subclass of `Refused` whose message is fit
for the person who asked; `status` is the HTTP status the client API and the
web answer with (422 unless a subclass names another, as Mastodon answers 403
for a forbidden action or 404 for something not found). Code that enacts a
decision (a passed proposal, an import) catches `Refused` only: any other
error is a bug, not a refusal, and must not be swallowed.
"""

from __future__ import annotations


class Refused(ValueError):
    """An action refused untrusted input or a state it cannot act in; the message says why."""

    status: int = 422

    def __init__(self, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """Return the message shown to the person who asked."""
        return str(self.args[0]) if self.args else ""
