"""Tasks queued after commit reach the project's Celery app from any thread, one publication at a time."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
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

    def publish(task_name: str, args: tuple[Any, ...], eta: object = None) -> None:
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

    def publish(task_name: str, args: tuple[Any, ...], eta: object = None) -> None:
        published.append(task_name)
        if task_name == "first":
            queueing._send("second", ())

    monkeypatch.setattr(queueing, "_publish", publish)
    finished = threading.Thread(target=queueing._send, args=("first", ()), daemon=True)
    finished.start()
    finished.join(timeout=10)
    assert not finished.is_alive()
    assert published == ["first", "second"]


@pytest.fixture
def broker_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start with a broker never seen failing, no backlog and no retry pending; cancel any retry afterwards."""
    monkeypatch.setattr(queueing, "_broker_down_until", 0.0)
    monkeypatch.setattr(queueing, "_backlog", deque(maxlen=queueing.BACKLOG_LIMIT))
    monkeypatch.setattr(queueing, "_retry_timer", None)
    yield
    if queueing._retry_timer is not None:
        queueing._retry_timer.cancel()


def test_a_broker_that_is_down_is_logged_paused_and_given_the_held_back_messages_once_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, broker_state: None
) -> None:
    """The request has committed: a lost broker costs one attempt and log lines, never an error."""
    attempts: list[tuple[Any, ...]] = []
    broker_up = threading.Event()

    def publish(*, args: tuple[Any, ...], retry: bool) -> None:
        attempts.append(args)
        if not broker_up.is_set():
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app.tasks["timeline.tasks.fan_out_status"], "apply_async", publish)
    monkeypatch.setattr(queueing, "BROKER_RETRY_SECONDS", 0.2)
    with caplog.at_level("WARNING", logger="config.queueing"):
        queueing._send("timeline.tasks.fan_out_status", (1,))
        queueing._send("timeline.tasks.fan_out_status", (2,))
        # One attempt, then a pause: the second message is not offered at all.
        assert attempts == [(1,)]
        assert caplog.text.count("broker unavailable, timeline.tasks.fan_out_status") == 2
        assert [args for _, args, _ in queueing._backlog] == [(1,), (2,)]
        # The broker comes back and nothing else is queued: the held-back messages go by themselves.
        broker_up.set()
        deadline = time.monotonic() + 5
        while queueing._backlog and time.monotonic() < deadline:
            time.sleep(0.05)
    assert attempts == [(1,), (1,), (2,)]
    assert not queueing._backlog


def test_a_new_message_goes_first_and_takes_the_held_back_ones_along(
    monkeypatch: pytest.MonkeyPatch, broker_state: None
) -> None:
    attempts: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        app.tasks["timeline.tasks.fan_out_status"], "apply_async", lambda *, args, retry: attempts.append(args)
    )
    queueing._backlog.extend(
        [("timeline.tasks.fan_out_status", (1,), None), ("timeline.tasks.fan_out_status", (2,), None)]
    )
    queueing._send("timeline.tasks.fan_out_status", (3,))
    assert attempts == [(3,), (1,), (2,)]
    assert not queueing._backlog


def test_the_backlog_is_bounded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, broker_state: None
) -> None:
    def broker_down(*, args: tuple[Any, ...], retry: bool) -> None:
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(app.tasks["timeline.tasks.fan_out_status"], "apply_async", broker_down)
    monkeypatch.setattr(queueing, "_backlog", deque(maxlen=2))
    with caplog.at_level("WARNING", logger="config.queueing"):
        for number in range(3):
            queueing._send("timeline.tasks.fan_out_status", (number,))
    assert [args for _, args, _ in queueing._backlog] == [(1,), (2,)]
    assert "timeline.tasks.fan_out_status(0,) left for the recovery tasks" in caplog.text


def test_a_broken_task_still_raises(monkeypatch: pytest.MonkeyPatch, broker_state: None) -> None:
    def broken(*, args: tuple[Any, ...], retry: bool) -> None:
        raise TypeError("not a broker problem")

    monkeypatch.setattr(app.tasks["timeline.tasks.fan_out_status"], "apply_async", broken)
    with pytest.raises(TypeError):
        queueing._send("timeline.tasks.fan_out_status", (1,))
