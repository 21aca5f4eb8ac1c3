"""The Celery app, its named queues and the recovery of unfinished work.

The database, not the broker, is the record of work still to do: each kind of
background work is a row with a state (a status waiting for fan-out, a
delivery waiting to be sent). The broker only wakes a worker. Recovery tasks
re-queue rows whose work never finished, when a worker starts and then every
minute, so a task lost with a killed worker or an embedded broker's file is
done all the same. Every task is idempotent.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import os
import time
from typing import Any

from celery import Celery, bootsteps
from celery.beat import EmbeddedService, Scheduler
from celery.signals import worker_ready
from click import Option
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES

from config.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

QUEUE_DEFAULT = "default"
QUEUE_FANOUT = "fanout"
QUEUE_INBOX = "inbox"
QUEUE_DELIVERIES = "deliveries"
QUEUE_SCHEDULED = "scheduled"
QUEUES = (QUEUE_DEFAULT, QUEUE_FANOUT, QUEUE_INBOX, QUEUE_DELIVERIES, QUEUE_SCHEDULED)

# Tasks that find unfinished rows and queue their work again.
RECOVERY_TASKS = (
    "timeline.tasks.requeue_pending_fan_outs",
    # Publishing scheduled statuses is both the schedule and its own recovery: a due row is a row to redo.
    "timeline.tasks.requeue_due_scheduled_statuses",
    "federation.tasks.requeue_due_deliveries",
    "timeline.tasks.requeue_due_pushes",
    "federation.tasks.requeue_unprocessed_inbox_items",
    "governance.tasks.requeue_missing_proposal_polls",
    "timeline.tasks.requeue_pending_media",
    # Accounts whose deletion grace period is over are erased within a minute.
    "members.tasks.erase_due_accounts",
    "members.tasks.requeue_data_rights_work",
)

with exit_on_config_error():
    # Load the settings now so that a worker with a wrong configuration stops
    # with one line, as the web server and manage.py do.
    importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])

# The embedded broker (config/broker.py), named so that a broker URL can choose it.
EMBEDDED_TRANSPORT = "mutuals-sqlite"
TRANSPORT_ALIASES[EMBEDDED_TRANSPORT] = "config.broker:Transport"

app = Celery("mutuals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_default_queue = QUEUE_DEFAULT
app.conf.task_routes = {
    "timeline.tasks.fan_out_status": {"queue": QUEUE_FANOUT},
    "federation.tasks.process_*": {"queue": QUEUE_INBOX},
    "federation.tasks.deliver_*": {"queue": QUEUE_DELIVERIES},
    "timeline.tasks.deliver_pushes": {"queue": QUEUE_DELIVERIES},
    "*.tasks.requeue_*": {"queue": QUEUE_SCHEDULED},
}
app.conf.beat_schedule = {name: {"task": name, "schedule": 60.0, "options": {"expires": 55}} for name in RECOVERY_TASKS}
# Proposals close on time and unratified emergency actions lapse, within a minute.
app.conf.beat_schedule["governance.tasks.close_due_proposals"] = {
    "task": "governance.tasks.close_due_proposals",
    "schedule": 60.0,
    "options": {"expires": 55, "queue": QUEUE_SCHEDULED},
}
# Uploads never posted are removed after a day.
app.conf.beat_schedule["timeline.tasks.remove_unattached_media"] = {
    "task": "timeline.tasks.remove_unattached_media",
    "schedule": 3600.0,
    "options": {"expires": 3500, "queue": QUEUE_SCHEDULED},
}
# Trending hashtags and statuses are scored again every ten minutes (moderators still decide what is shown).
app.conf.beat_schedule["timeline.tasks.refresh_trends"] = {
    "task": "timeline.tasks.refresh_trends",
    "schedule": 600.0,
    "options": {"expires": 590, "queue": QUEUE_SCHEDULED},
}
# Members' data archives are deleted once their week is over.
app.conf.beat_schedule["members.tasks.expire_data_exports"] = {
    "task": "members.tasks.expire_data_exports",
    "schedule": 3600.0,
    "options": {"expires": 3500, "queue": QUEUE_SCHEDULED},
}
# The sources of blocklist mandates in force are imported once a day (and when beat starts).
app.conf.beat_schedule["governance.tasks.import_blocklists"] = {
    "task": "governance.tasks.import_blocklists",
    "schedule": 86400.0,
    "options": {"expires": 3600, "queue": QUEUE_SCHEDULED},
}
# Copies of remote attachments older than MUTUALS_MEDIA_CACHE_DAYS are removed once a day.
app.conf.beat_schedule["timeline.tasks.remove_cached_remote_media"] = {
    "task": "timeline.tasks.remove_cached_remote_media",
    "schedule": 86400.0,
    "options": {"expires": 3600, "queue": QUEUE_SCHEDULED},
}
app.autodiscover_tasks()


logger = logging.getLogger(__name__)


class StartDueScheduler(Scheduler):
    """Keep beat's schedule in memory, every entry due when beat starts, and record beat's heartbeat.

    A schedule file written as beat runs is truncated when beat is killed
    mid-write, and the next beat dies reading it. Nothing is kept instead:
    every scheduled task is idempotent, so running each once at start costs a
    few queries, and an hourly task still runs when beat restarts more often
    than hourly.
    """

    def setup_schedule(self) -> None:
        """Load the configured entries, each last run long enough ago to be due now."""
        super().setup_schedule()
        long_ago = self.app.now() - datetime.timedelta(days=365)
        for entry in self.schedule.values():
            entry.last_run_at = long_ago
        self._next_heartbeat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """Send the due tasks, record beat's heartbeat when due, and return the seconds to sleep."""
        self.record_heartbeat()
        interval = float(super().tick(*args, **kwargs))
        return min(interval, float(settings.MUTUALS_HEARTBEAT_INTERVAL_SECONDS))

    def record_heartbeat(self) -> None:
        """Record beat's heartbeat if the last one is an interval old."""
        if time.monotonic() < self._next_heartbeat:
            return
        from config import heartbeats  # noqa: PLC0415 (models load after this module)

        self._next_heartbeat = time.monotonic() + settings.MUTUALS_HEARTBEAT_INTERVAL_SECONDS
        try:
            heartbeats.do_record_heartbeat("beat")
        except DatabaseError:
            # /healthz reports the database itself; the next tick tries again, on a new connection if this one broke.
            logger.warning("Could not record beat's heartbeat", exc_info=True)
            close_old_connections()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Record the worker's heartbeat from a thread while the worker runs."""

    label = "Heartbeat (database)"

    def start(self, parent: Any) -> None:
        """Start the heartbeat thread."""
        from config.heartbeats import HeartbeatThread  # noqa: PLC0415 (models load after this module)

        self.thread = HeartbeatThread("worker")
        self.thread.start()

    def stop(self, parent: Any) -> None:
        """Stop the heartbeat thread."""
        thread = getattr(self, "thread", None)
        if thread is not None:
            thread.stop()


class ThreadedBeat(bootsteps.StartStopStep):
    """Run the beat scheduler as a thread of the worker (`--beat-thread`).

    The embedded mode runs one worker process; a thread spares the memory of
    the separate process that Celery's `-B` would start.
    """

    label = "Beat (thread)"

    def __init__(self, parent: Any, beat_thread: bool = False, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.enabled = beat_thread

    def create(self, parent: Any) -> Any:
        return EmbeddedService(parent.app, thread=True, scheduler_cls=StartDueScheduler)


app.user_options["worker"].add(
    Option(["--beat-thread"], is_flag=True, default=False, help="Run beat as a thread of this worker.")
)
app.steps["worker"].add(ThreadedBeat)
app.steps["worker"].add(WorkerHeartbeat)


@worker_ready.connect
def requeue_unfinished_work(sender: Any = None, **kwargs: Any) -> None:
    """Queue every recovery task as soon as a worker is ready to take work."""
    for name in RECOVERY_TASKS:
        app.send_task(name, kwargs={"min_age_seconds": 0})
