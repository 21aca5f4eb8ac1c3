"""Tasks queued after commit reach the project's Celery app from any thread, one publication at a time."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from config import queueing


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
