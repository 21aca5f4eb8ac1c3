"""Queue Celery tasks once the current transaction commits.

A task is queued only after the rows it reads exist. If the broker cannot be
reached at that moment the error is logged, not raised: the request has
already committed. The message is held back and published again once the
broker takes messages; the recovery tasks queue whatever is still unfinished.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import datetime
from typing import Any

import redis
from django.db import transaction
from kombu.exceptions import OperationalError

from config.celery import app

logger = logging.getLogger(__name__)
_publishing = threading.RLock()
_modules_loaded = False
# After a failed publication, messages are not offered to the broker for this
# many seconds: each attempt on a broker that is down waits out the connect
# timeout, and requests queue behind the publishing lock meanwhile.
BROKER_RETRY_SECONDS = 5.0
_broker_down_until = 0.0
# Messages the broker could not take are published again, oldest first, as
# soon as it takes one: the recovery tasks would only find their rows once a
# minute old. The backlog is bounded; what falls out of it (and what a killed
# process held) is still left to the recovery tasks.
BACKLOG_LIMIT = 10_000
# Each entry: the task's name, its arguments and when it is to run (None: at once).
_Message = tuple[str, tuple[Any, ...], datetime | None]
_backlog: deque[_Message] = deque(maxlen=BACKLOG_LIMIT)
_retry_timer: threading.Timer | None = None


def _send(task_name: str, args: tuple[Any, ...], eta: datetime | None = None) -> None:
    # Outside a worker, the apps' task modules load on first use, once: each
    # call of `import_default_modules` also has Celery's Django fix-up run
    # every system check, hundreds of milliseconds per queued task. Requests may
    # commit on several threads at once (the inbox's ASGI path runs each on a
    # thread of its own): one thread loads the modules while the others wait,
    # and messages are published one at a time, as the broker connection
    # Celery shares between threads is not safe to use from two at once.
    with _publishing:
        load_task_modules()
        _publish(task_name, args, eta)


def load_task_modules() -> None:
    """Load the apps' task modules into this process once (web processes call it at start-up)."""
    global _modules_loaded  # noqa: PLW0603 - one flag per process
    with _publishing:
        if not _modules_loaded:
            app.loader.import_default_modules()
            _modules_loaded = True


def _publish(task_name: str, args: tuple[Any, ...], eta: datetime | None = None) -> None:
    if time.monotonic() < _broker_down_until:
        _hold_back(task_name, args, eta, "paused after a failure")
        return
    if _offer(task_name, args, eta):
        # The broker takes messages again: those held back go now.
        _drain_backlog()


def _drain_backlog() -> None:
    """Offer the held-back messages, oldest first, until the broker refuses one (which is held back again)."""
    while _backlog:
        if not _offer(*_backlog.popleft()):
            return


def _offer(task_name: str, args: tuple[Any, ...], eta: datetime | None = None) -> bool:
    """Publish one message; on a broker error, hold it back, pause publishing and return False."""
    global _broker_down_until  # noqa: PLW0603 - one broker state per process, guarded by _publishing
    try:
        if eta is None:
            app.tasks[task_name].apply_async(args=args, retry=False)
        else:
            app.tasks[task_name].apply_async(args=args, eta=eta, retry=False)
    except (OperationalError, redis.RedisError, OSError) as exc:
        # kombu wraps most lost connections in OperationalError, but a Redis
        # broker that drops mid-publish can surface redis-py's or the socket's own.
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        _hold_back(task_name, args, eta, str(exc))
        _retry_later()
        return False
    return True


def _retry_later() -> None:
    """Offer the held-back messages again once the pause is over, even if nothing else is queued by then."""
    global _retry_timer  # noqa: PLW0603 - one timer per process, guarded by _publishing
    if _retry_timer is None:
        _retry_timer = threading.Timer(BROKER_RETRY_SECONDS, _retry_backlog)
        _retry_timer.daemon = True
        _retry_timer.start()


def _retry_backlog() -> None:
    global _retry_timer  # noqa: PLW0603 - one timer per process, guarded by _publishing
    with _publishing:
        _retry_timer = None
        _drain_backlog()


def _hold_back(task_name: str, args: tuple[Any, ...], eta: datetime | None, reason: str) -> None:
    if len(_backlog) == _backlog.maxlen:
        dropped_name, dropped_args, _ = _backlog[0]
        logger.warning("broker unavailable, %s%r left for the recovery tasks", dropped_name, dropped_args)
    _backlog.append((task_name, args, eta))
    logger.warning("broker unavailable, %s%r held back: %s", task_name, args, reason)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send the named task with its arguments after the surrounding transaction commits.

    Tasks are named rather than imported so that actions never import the
    task modules that call them; the registry still applies the task's own
    options (eager execution in tests included).
    """
    transaction.on_commit(lambda: _send(task_name, args))


def enqueue_at_on_commit(task_name: str, eta: datetime, *args: Any) -> None:
    """Send the named task to run at `eta` (not before), after the surrounding transaction commits.

    The worker holds such a message until its time; keep `eta` within a few
    minutes, well inside the broker's redelivery timeout.
    """
    transaction.on_commit(lambda: _send(task_name, args, eta))
