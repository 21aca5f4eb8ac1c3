"""A services-mode worker outlives a restart of its Redis broker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.database import hold_write_lock
from tests.e2e.private_services import PrivateRedis, private_redis
from tests.live import PYTHON, QUEUES, LiveInstance, live_instance, services_available, wait_for

pytestmark = pytest.mark.live

BROKER_DOWN_SECONDS = 12


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture
def services(tmp_path: Path, redis_server: PrivateRedis) -> Iterator[LiveInstance]:
    """Yield a services-mode instance whose broker is the private Redis."""
    reason = services_available()
    if reason:
        pytest.skip(reason)
    with live_instance(tmp_path / "instance", backend="services") as live:
        live.env["BROKER_URL"] = redis_server.url
        yield live


def fanned_out(instance: LiveInstance, status_id: int) -> bool:
    done = f"Status.objects.filter(id={status_id}, fanned_out_at__isnull=False).exists()"
    return instance.shell(f"from timeline.models import Status; print({done})") == "True"


def post(instance: LiveInstance, text: str) -> int:
    """Post a status as alice and return its id."""
    return int(instance.manage("poststatus", "alice", text).stdout.strip().rsplit("/", 1)[1])


def test_the_worker_stays_up_through_a_broker_restart_and_runs_later_tasks(
    services: LiveInstance, redis_server: PrivateRedis
) -> None:
    """Redis stops for 12 s while a task is unacknowledged; the worker reconnects and runs what comes next.

    An unacknowledged message is what made older Celery fail here: on the
    lost connection the worker put it back through a client it had already
    dropped (AttributeError on `hostname`) and stopped.
    """
    services.manage("createmember", "alice", "--password", "a sturdy passphrase")
    # As deploy/serve and the systemd unit run it: the prefork pool, with mingle, gossip and heartbeats.
    worker = services._spawn(
        "worker",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--queues",
            QUEUES,
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
        ],
    )
    wait_for(lambda: "ready." in services.log("worker"), timeout=60, message="the worker to be ready")
    before = post(services, "before the restart")
    with hold_write_lock(services, before):
        wait_for(
            lambda: "fan_out_status[" in services.log("worker"),
            timeout=30,
            message="the worker to take the fan-out, which waits on the lock",
        )
        redis_server.stop()
        time.sleep(BROKER_DOWN_SECONDS)
        assert worker.poll() is None, services.log("worker")[-3000:]
        redis_server.start()
    restarted = time.monotonic()

    after = post(services, "after the restart")
    wait_for(lambda: fanned_out(services, after), timeout=30, message="the fan-out queued after the restart")
    reconnected = time.monotonic() - restarted
    assert worker.poll() is None
    log = services.log("worker")
    assert "Unrecoverable error" not in log, log[-3000:]
    assert "Connection to broker lost" in log
    # The first fan-out is done too: by its own task, or (its message lost with the broker's memory) by recovery.
    # Reconnecting takes a few seconds of back-off; the bound only tells a reconnect from a hang
    # (Celery's next retry would be a minute away), with room for a loaded machine.
    assert reconnected < 20
    print(f"a task queued after the broker restart ran {reconnected:.1f}s after Redis was back")
