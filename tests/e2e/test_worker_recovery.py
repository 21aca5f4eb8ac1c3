"""A task whose worker is killed mid-task is done when a worker starts again."""

from __future__ import annotations

import signal
import time

import pytest

from tests.e2e.database import hold_write_lock, query_one
from tests.live import LiveInstance, wait_for

pytestmark = pytest.mark.live

FANNED_OUT = "SELECT fanned_out_at FROM timeline_status WHERE id = %s"


def test_killed_worker_mid_task_then_restart_completes_the_task(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
    url = instance.manage("poststatus", "alice", "queued while no worker runs").stdout.strip()
    status_id = int(url.rsplit("/", 1)[1])

    with hold_write_lock(instance, status_id):
        instance.start_worker()
        wait_for(
            lambda: "fan_out_status[" in instance.log("worker") and "received" in instance.log("worker"),
            timeout=60,
            message="the worker to take the fan-out task",
        )
        time.sleep(1.0)  # the task is now waiting on the lock, mid-way through
        assert query_one(instance, FANNED_OUT, (status_id,)) is None
        instance.stop("worker", signal.SIGKILL)
    # Recovery tasks run at start-up and may succeed; the fan-out itself must not have.
    assert not [
        line for line in instance.log("worker").splitlines() if "fan_out_status[" in line and "succeeded" in line
    ]
    assert query_one(instance, FANNED_OUT, (status_id,)) is None

    instance.start_worker(role="worker2")
    wait_for(
        lambda: query_one(instance, FANNED_OUT, (status_id,)) is not None,
        timeout=60,
        message="the restarted worker to finish the fan-out",
    )
    entries = query_one(instance, "SELECT COUNT(*) FROM timeline_timelineentry WHERE status_id = %s", (status_id,))
    assert entries == 1
