"""Errors raised when a members action refuses its input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from config.refusals import Refused


class MemberRefused(Refused):
    """The members action cannot be done as asked; the message says why."""


class NotPermitted(MemberRefused):
    """The person asking lacks the role the action needs; the message names it."""

    status = 403


@dataclass(frozen=True)
class FieldError:
    """One field of a new account at fault: its name in the client API, Mastodon's error code, the reason."""

    field: str
    code: str
    description: str


class AccountRefused(MemberRefused):
    """A new account cannot be created: each field at fault, with the message joining their reasons."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__(" ".join(error.description for error in errors))
        self.errors = tuple(errors)
