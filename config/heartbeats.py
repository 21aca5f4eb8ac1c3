"""Record and read the heartbeats of the worker and beat."""

from __future__ import annotations

import datetime
import logging
import socket
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from config.models import Heartbeat

logger = logging.getLogger(__name__)


def do_record_heartbeat(process: str) -> None:
    """Record that a process of this kind is alive now."""
    Heartbeat.objects.update_or_create(
        process=process, defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()}
    )


@dataclass(frozen=True)
class HeartbeatState:
    """What is known of one process kind's heartbeat."""

    process: str
    # "alive", "stale", or "starting" while no heartbeat has ever been recorded.
    state: str
    seen_at: datetime.datetime | None
    age_seconds: float | None

    @property
    def ok(self) -> bool:
        """Return whether the state is not stale."""
        return self.state != "stale"


def heartbeat_states(now: datetime.datetime | None = None) -> list[HeartbeatState]:
    """Return the heartbeat state of the worker and of beat.

    A process never seen is `starting`, not stale: a new instance starts its
    web server before its worker, and must answer /healthz meanwhile.
    """
    now = now or timezone.now()
    stale_after = settings.MUTUALS_HEARTBEAT_STALE_SECONDS
    seen = dict(Heartbeat.objects.values_list("process", "seen_at"))
    states = []
    for process in Heartbeat.Process.values:
        seen_at = seen.get(process)
        if seen_at is None:
            states.append(HeartbeatState(process, "starting", None, None))
            continue
        age = (now - seen_at).total_seconds()
        states.append(HeartbeatState(process, "stale" if age > stale_after else "alive", seen_at, age))
    return states


class HeartbeatThread(threading.Thread):
    """Record a process's heartbeat every few seconds until stopped.

    A thread rather than a task: a heartbeat queued through the broker would
    say the broker works, not that this process is alive.
    """

    def __init__(self, process: str, interval: float | None = None) -> None:
        super().__init__(name=f"{process}-heartbeat", daemon=True)
        self.process = process
        self.interval = interval or settings.MUTUALS_HEARTBEAT_INTERVAL_SECONDS
        self.stopped = threading.Event()

    def run(self) -> None:
        """Record a heartbeat now, then at each interval."""
        while not self.stopped.is_set():
            try:
                do_record_heartbeat(self.process)
            except DatabaseError:
                # /healthz reports the database itself; try again next time, on a new connection if this one broke.
                logger.warning("Could not record the %s heartbeat", self.process, exc_info=True)
                close_old_connections()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        """Stop recording heartbeats."""
        self.stopped.set()
