"""Errors raised when a members action refuses its input."""

from __future__ import annotations

from config.refusals import Refused


class MemberRefused(Refused):
    """The members action cannot be done as asked; the message says why."""


class NotPermitted(MemberRefused):
    """The person asking lacks the role the action needs; the message names it."""

    status = 403
