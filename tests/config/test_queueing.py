"""Tasks queued after commit reach the project's Celery app from any thread, one publication at a time."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import redis

from config import queueing
from config.celery import app


def test_tasks_sent_from_many_threads_are_each_published_once_and_never_at_the_same_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[tuple[str, tuple[Any, ...]]] = []
    inside = threading.Semaphore(1)
    overlaps: list[bool] = []

    def publish(task_name: str, args: tuple[Any, ...]) -> None:
        # A second thread publishing while one is inside would find the semaphore taken.
        entered = inside.acquire(blocking=False)
        overlaps.append(not entered)
        threading.Event().wait(0.002)
        published.append((task_name, args))
        if entered:
            inside.release()

    monkeypatch.setattr(queueing, "_publish", publish)
    threads = [
        threading.Thread(target=queueing._send, args=("federation.tasks.process_inbox_item", (n,))) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(args[0] for _, args in published) == list(range(8))
    assert not any(overlaps)


def test_a_task_queued_while_publishing_on_the_same_thread_does_not_wait_for_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Eager tasks (tests, demo) run inside the publication and may queue more tasks.
    published: list[str] = []

    def publish(task_name: str, args: tuple[Any, ...]) -> None:
        published.append(task_name)
        if task_name == "first":
            queueing._send("second", ())

    monkeypatch.setattr(queueing, "_publish", publish)
    finished = threading.Thread(target=queueing._send, args=("first", ()), daemon=True)
    finished.start()
    finished.join(timeout=10)
    assert not finished.is_alive()
    assert published == ["first", "second"]


def test_a_broker_that_is_down_is_logged_and_left_alone_for_a_while(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The request has committed: a lost broker costs one attempt and log lines, never an error."""
    attempts: list[tuple[Any, ...]] = []

    def broker_down(*, args: tuple[Any, ...], retry: bool) -> None:
        attempts.append(args)
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    task = app.tasks["timeline.tasks.fan_out_status"]
    monkeypatch.setattr(task, "apply_async", broker_down)
    monkeypatch.setattr(queueing, "_broker_down_until", 0.0)
    with caplog.at_level("WARNING", logger="config.queueing"):
        queueing._send("timeline.tasks.fan_out_status", (1,))
        queueing._send("timeline.tasks.fan_out_status", (2,))
    assert attempts == [(1,)]
    assert caplog.text.count("broker unavailable, timeline.tasks.fan_out_status") == 2
    # Once the pause is over the broker is offered messages again.
    monkeypatch.setattr(queueing, "_broker_down_until", 0.0)
    queueing._send("timeline.tasks.fan_out_status", (3,))
    assert attempts == [(1,), (3,)]


def test_a_broken_task_still_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*, args: tuple[Any, ...], retry: bool) -> None:
        raise TypeError("not a broker problem")

    monkeypatch.setattr(app.tasks["timeline.tasks.fan_out_status"], "apply_async", broken)
    monkeypatch.setattr(queueing, "_broker_down_until", 0.0)
    with pytest.raises(TypeError):
        queueing._send("timeline.tasks.fan_out_status", (1,))
