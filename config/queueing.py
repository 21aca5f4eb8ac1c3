"""Queue Celery tasks once the current transaction commits.

A task is queued only after the rows it reads exist. If the broker cannot be
reached at that moment the error is logged, not raised: the request has
already committed, and the recovery tasks queue the unfinished work again.
"""

from __future__ import annotations

import logging
import threading
import time
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


def _send(task_name: str, args: tuple[Any, ...]) -> None:
    # Outside a worker, the apps' task modules load on first use, once: each
    # call of `import_default_modules` also has Celery's Django fix-up run
    # every system check, hundreds of milliseconds per queued task. Requests may
    # commit on several threads at once (the inbox's ASGI path runs each on a
    # thread of its own): one thread loads the modules while the others wait,
    # and messages are published one at a time, as the broker connection
    # Celery shares between threads is not safe to use from two at once.
    with _publishing:
        load_task_modules()
        _publish(task_name, args)


def load_task_modules() -> None:
    """Load the apps' task modules into this process once (web processes call it at start-up)."""
    global _modules_loaded  # noqa: PLW0603 - one flag per process
    with _publishing:
        if not _modules_loaded:
            app.loader.import_default_modules()
            _modules_loaded = True


def _publish(task_name: str, args: tuple[Any, ...]) -> None:
    global _broker_down_until  # noqa: PLW0603 - one broker state per process, guarded by _publishing
    if time.monotonic() < _broker_down_until:
        logger.warning("broker unavailable, %s%r left for recovery", task_name, args)
        return
    try:
        app.tasks[task_name].apply_async(args=args, retry=False)
    except (OperationalError, redis.RedisError, OSError) as exc:
        # kombu wraps most lost connections in OperationalError, but a Redis
        # broker that drops mid-publish can surface redis-py's or the socket's own.
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        logger.warning("broker unavailable, %s%r left for recovery: %s", task_name, args, exc)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send the named task with its arguments after the surrounding transaction commits.

    Tasks are named rather than imported so that actions never import the
    task modules that call them; the registry still applies the task's own
    options (eager execution in tests included).
    """
    transaction.on_commit(lambda: _send(task_name, args))
