"""Timestamps in the one spelling Mastodon's client API uses."""

from __future__ import annotations

from datetime import datetime


def iso_with_millis(moment: datetime) -> str:
    """Return a timestamp as Mastodon's API writes it: UTC, milliseconds, Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
