"""Queue Celery tasks once the current transaction commits.

A task is queued only after the rows it reads exist. If the broker cannot be
reached at that moment the error is logged, not raised: the request has
already committed, and the recovery tasks queue the unfinished work again.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def _send(task_name: str, args: tuple[Any, ...]) -> None:
    # Outside a worker, the apps' task modules load on first use.
    current_app.loader.import_default_modules()
    try:
        current_app.tasks[task_name].apply_async(args=args, retry=False)
    except OperationalError as exc:
        logger.warning("broker unavailable, %s%r left for recovery: %s", task_name, args, exc)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send the named task with its arguments after the surrounding transaction commits.

    Tasks are named rather than imported so that actions never import the
    task modules that call them; the registry still applies the task's own
    options (eager execution in tests included).
    """
    transaction.on_commit(lambda: _send(task_name, args))
