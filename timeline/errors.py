"""Errors raised when a timeline action refuses its input."""

from __future__ import annotations


class StatusRefused(ValueError):
    """The status cannot be posted as asked; the message says why, for the member."""
