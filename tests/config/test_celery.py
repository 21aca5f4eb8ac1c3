"""The Celery app's recovery wiring: what a worker queues when it becomes ready."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import OperationalError

from config import celery as celery_config
from config import heartbeats
from config.celery import RECOVERY_TASKS, StartDueScheduler, ThreadedBeat, app
from config.models import Heartbeat


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


@pytest.mark.django_db
def test_beat_keeps_no_schedule_file_and_sends_every_entry_when_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new beat sends each scheduled task at once, from memory, and records its heartbeat."""
    # Celery's persistent scheduler would write celerybeat-schedule here.
    monkeypatch.chdir(tmp_path)
    sent: list[str] = []
    scheduler = StartDueScheduler(app, lazy=True)
    scheduler.setup_schedule()
    scheduler.apply_async = lambda entry, **kwargs: sent.append(entry.task)  # type: ignore[method-assign]
    for _ in range(len(app.conf.beat_schedule) + 1):
        scheduler.tick()
    assert sorted(sent) == sorted(entry["task"] for entry in app.conf.beat_schedule.values())
    assert list(tmp_path.iterdir()) == []
    assert Heartbeat.objects.filter(process="beat").exists()
    # Each entry waits its interval before it is due again.
    sent.clear()
    scheduler.tick()
    assert sent == []


def test_beat_runs_the_in_memory_scheduler_as_a_process_and_as_a_worker_thread() -> None:
    """`celery beat` reads beat_scheduler; the worker's beat thread is given the class itself."""
    assert app.conf.beat_scheduler == "config.celery:StartDueScheduler"
    worker = SimpleNamespace(app=app)
    service = ThreadedBeat(worker, beat_thread=True).create(worker)
    assert service.service.scheduler_cls is StartDueScheduler


# Outside a test transaction: after the error the beat closes its connection and opens another.
@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_that_cannot_be_recorded_is_logged_and_beat_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(process: str) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(heartbeats, "do_record_heartbeat", refuse)
    scheduler = StartDueScheduler(app, lazy=True)
    scheduler.setup_schedule()
    scheduler.apply_async = lambda entry, **kwargs: None  # type: ignore[method-assign]
    assert scheduler.tick() <= 10
    assert "Could not record beat's heartbeat" in caplog.text
    assert not Heartbeat.objects.exists()
