"""Time-ordered 64-bit ids, so that ordering by id is ordering by time.

The layout is Mastodon's: milliseconds since the Unix epoch in the high 48
bits, and 16 low bits that keep ids made in the same millisecond apart.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from datetime import datetime

from django.utils import timezone

_counter = itertools.count(secrets.randbelow(1 << 16))
_lock = threading.Lock()


def snowflake_id(at: datetime | None = None) -> int:
    """Return a new id for an object created (or back-dated) at the given time."""
    moment = at or timezone.now()
    millis = int(moment.timestamp() * 1000)
    with _lock:
        low = next(_counter) & 0xFFFF
    return (millis << 16) | low


def snowflake_floor(at: datetime) -> int:
    """Return the smallest id an object created at the given time can have."""
    return int(at.timestamp() * 1000) << 16
