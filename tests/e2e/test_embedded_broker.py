"""The embedded broker survives malformed messages and concurrent bursts."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import EMBEDDED_PASS_ONLY, PYTHON, ROOT, LiveInstance, live_instance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

# A real task that costs one query: fanning out a status that does not exist.
MISSING_STATUS_BASE = 10**15
# 3,000 tasks from two producers keeps the suite short (the worker runs a few dozen a second on a
# busy two-core machine); MUTUALS_TEST_BURST_PER_PRODUCER=10000 runs the 20,000-task burst.
BURST_PER_PRODUCER = int(os.environ.get("MUTUALS_TEST_BURST_PER_PRODUCER", "1500"))
PRODUCE = """
import sys
from config.celery import app
first, count = int(sys.argv[1]), int(sys.argv[2])
with app.producer_or_acquire() as producer:
    for status_id in range(first, first + count):
        app.send_task("timeline.tasks.fan_out_status", args=[status_id], producer=producer)
print("queued", count)
"""


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[LiveInstance]:
    """Yield a migrated embedded instance whatever the suite's backend: this is the embedded broker's test."""
    with live_instance(tmp_path / "instance", backend="embedded") as live:
        yield live


def broker_rows(instance: LiveInstance, queue: str) -> int:
    """Return how many messages wait in a queue of the instance's broker file."""
    with contextlib.closing(sqlite3.connect(instance.data_dir / "broker.sqlite3", timeout=30)) as db:
        row = db.execute(
            "SELECT COUNT(*) FROM kombu_message JOIN kombu_queue ON kombu_queue.id = queue_id"
            " WHERE kombu_queue.name = ?",
            (queue,),
        ).fetchone()
    return int(row[0])


def succeeded(instance: LiveInstance, task: str) -> int:
    """Return how many runs of a task the worker's log records as succeeded."""
    return sum(1 for line in instance.log("worker").splitlines() if f"{task}[" in line and "succeeded" in line)


def test_malformed_messages_are_logged_and_dropped_and_the_worker_goes_on(embedded: LiveInstance) -> None:
    """An empty, a non-JSON and a foreign-shaped message are each dropped with a log line; later tasks run."""
    embedded.manage("checkconfig")  # opens the broker file, which makes its tables and the default queue
    with contextlib.closing(sqlite3.connect(embedded.data_dir / "broker.sqlite3")) as db:
        (queue_id,) = db.execute("SELECT id FROM kombu_queue WHERE name = 'fanout'").fetchone() or (None,)
        if queue_id is None:
            queue_id = db.execute("INSERT INTO kombu_queue (name) VALUES ('fanout')").lastrowid
        for payload in ("", "{not json", '{"unexpected": "shape"}'):
            db.execute(
                "INSERT INTO kombu_message (visible, payload, version, queue_id) VALUES (1, ?, 1, ?)",
                (payload, queue_id),
            )
        db.commit()
    embedded.manage("createmember", "alice", "--password", "a sturdy passphrase")
    url = embedded.manage("poststatus", "alice", "queued behind broken messages").stdout.strip()
    status_id = int(url.rsplit("/", 1)[1])

    worker = embedded.start_worker()
    wait_for(
        lambda: (
            embedded.shell(
                "from timeline.models import Status; "
                f"print(Status.objects.filter(id={status_id}, fanned_out_at__isnull=False).exists())"
            )
            == "True"
        ),
        timeout=60,
        message="the worker to fan out the status queued after the broken messages",
    )
    log = embedded.log("worker")
    assert log.count("Dropped a malformed message from queue fanout") == 2, log[-3000:]
    assert log.count("Dropped a message of unknown shape from queue fanout") == 1, log[-3000:]
    assert "Unrecoverable error" not in log
    assert worker.poll() is None
    assert broker_rows(embedded, "fanout") == 0


# The full burst takes several minutes; the suite's default takes well under its 300 s limit.
@pytest.mark.timeout(max(300, BURST_PER_PRODUCER // 5 + 120))
def test_two_producers_and_a_worker_lose_nothing_in_a_burst(embedded: LiveInstance) -> None:
    """Two processes queue thousands of tasks at once while the worker consumes; every one runs, the worker lives."""
    embedded.start_web()
    worker = embedded.start_worker(beat=True)
    wait_for(lambda: "ready." in embedded.log("worker"), timeout=60, message="the worker to be ready")
    start = time.monotonic()
    producers = [
        subprocess.Popen(
            [PYTHON, "-c", PRODUCE, str(MISSING_STATUS_BASE + n * BURST_PER_PRODUCER), str(BURST_PER_PRODUCER)],
            cwd=ROOT,
            env=embedded.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(2)
    ]
    try:
        outputs = [producer.communicate(timeout=max(120, BURST_PER_PRODUCER / 40))[0] for producer in producers]
    finally:
        for producer in producers:
            producer.kill()
    assert all(producer.returncode == 0 for producer in producers), outputs
    queued = time.monotonic() - start
    health = embedded.get("/healthz")
    assert health.status_code == 200, health.text
    assert health.json()["checks"]["worker"]["detail"].startswith("alive: "), health.text
    assert health.json()["checks"]["beat"]["detail"].startswith("alive: "), health.text
    wait_for(
        lambda: succeeded(embedded, "timeline.tasks.fan_out_status") >= 2 * BURST_PER_PRODUCER,
        timeout=max(60, BURST_PER_PRODUCER / 10),
        interval=1,
        message="the worker to run every queued task",
    )
    assert succeeded(embedded, "timeline.tasks.fan_out_status") == 2 * BURST_PER_PRODUCER
    assert broker_rows(embedded, "fanout") == 0
    assert worker.poll() is None
    assert "Unrecoverable error" not in embedded.log("worker")
    print(f"burst of {2 * BURST_PER_PRODUCER}: queued in {queued:.1f}s, all run after {time.monotonic() - start:.1f}s")
