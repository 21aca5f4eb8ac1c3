"""The Celery app's recovery wiring: what a worker queues when it becomes ready."""

from __future__ import annotations

from typing import Any

import pytest

from config import celery as celery_config
from config.celery import RECOVERY_TASKS, app


@pytest.mark.django_db
def test_every_recovery_task_accepts_what_a_ready_worker_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs: sent.append((name, kwargs)))
    celery_config.requeue_unfinished_work()
    assert [name for name, _ in sent] == list(RECOVERY_TASKS)
    app.loader.import_default_modules()
    for name, kwargs in sent:
        # Run each as the worker would; a signature that refuses the keyword fails here.
        app.tasks[name].apply(kwargs=kwargs).get()
