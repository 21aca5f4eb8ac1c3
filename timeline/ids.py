"""Time-ordered 64-bit ids, so that ordering by id is ordering by time.

The layout is Mastodon's: milliseconds since the Unix epoch in the high 48
bits, and 16 low bits that keep ids made in the same millisecond apart.
Here those 16 bits are this process's slot (6 bits) and a sequence within
the millisecond (10 bits). Remote statuses take their ids from their
publication time, which peers give to the second, so a burst of them
arrives with one millisecond between many worker processes: each process
counts its own sequence per millisecond (moving on to the next millisecond
after 1,024). Two processes share a slot only when 63 others started
between them (a PostgreSQL sequence, or a counter file in the embedded
mode's single machine), so a burst is safe across restarts too.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

SLOT_BITS = 6
SEQUENCE_BITS = 10
SLOTS = 1 << SLOT_BITS
PER_MILLISECOND = 1 << SEQUENCE_BITS
# Milliseconds whose sequence is remembered: back-dated ids (remote statuses, imports) come back to
# the same second while its burst lasts; the least recently used are forgotten first.
REMEMBERED = 16_384

_lock = threading.Lock()
_next: OrderedDict[int, int] = OrderedDict()
_slot: tuple[int, int] | None = None  # (process id, slot): a forked child takes a slot of its own


def _take_slot() -> int:
    # On PostgreSQL every process, on any machine, takes the next value of one sequence (created by
    # migration timeline 0009).
    if connection.vendor == "postgresql":
        try:
            # In a savepoint when a transaction is open, so that a failure leaves it usable.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT nextval('timeline_id_slot')")
                return int(cursor.fetchone()[0]) % SLOTS
        except (DatabaseError, RuntimeError):
            # Not migrated yet, or database access refused (RuntimeError: a test without a database):
            # the slot is then at least unique on this machine.
            return _locked_slot()
    return _locked_slot()


_held: list[TextIO] = []


def _locked_slot() -> int:
    """Return a slot no other live process on this machine holds, and the one least recently taken.

    The embedded mode runs on one machine. The search starts after the slot
    taken last (a counter file), so that a process's slot goes to another
    only after 63 more processes started: a process that ended may have made
    ids for a millisecond the next one is asked for again. The slot's lock
    lasts as long as the process (the system drops it however it ends).
    """
    folder = Path(settings.MUTUALS_DATA_DIR) / "id-slots"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "counter").open("a+") as counter:
        fcntl.flock(counter, fcntl.LOCK_EX)
        counter.seek(0)
        start = int(counter.read() or 0)
        for offset in range(SLOTS):
            slot = (start + offset) % SLOTS
            handle = (folder / f"{slot}.lock").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            _held.append(handle)
            counter.seek(0)
            counter.truncate()
            counter.write(str(slot + 1))
            return slot
    # More than 64 live processes: share, as rarely as the process ids allow.
    return os.getpid() % SLOTS


def _process_slot() -> int:
    global _slot  # noqa: PLW0603 (one slot per process, taken on first use)
    pid = os.getpid()
    if _slot is None or _slot[0] != pid:
        _slot = (pid, _take_slot())
        _next.clear()
    return _slot[1]


def snowflake_id(at: datetime | None = None) -> int:
    """Return a new id for an object created (or back-dated) at the given time."""
    moment = at or timezone.now()
    millis = int(moment.timestamp() * 1000)
    with _lock:
        slot = _process_slot()
        sequence = _next.get(millis, 0)
        while sequence >= PER_MILLISECOND:
            # This millisecond is full here: the id goes to the next, a millisecond later than asked.
            millis += 1
            sequence = _next.get(millis, 0)
        _next[millis] = sequence + 1
        _next.move_to_end(millis)
        if len(_next) > REMEMBERED:
            _next.popitem(last=False)
    return (millis << 16) | (slot << SEQUENCE_BITS) | sequence


def snowflake_floor(at: datetime) -> int:
    """Return the smallest id an object created at the given time can have."""
    return int(at.timestamp() * 1000) << 16
