"""A task queued by one process reaches a real Celery worker through RabbitMQ (BROKER_URL=amqp://...)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveInstance, live_instance, suite_backend, wait_for

pytestmark = pytest.mark.live

AMQP_HOST, AMQP_PORT = "127.0.0.1", 5672


def rabbitmqctl(*args: str) -> str:
    """Run a RabbitMQ administration command on this machine's broker and return its output."""
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def vhost() -> Iterator[str]:
    """Yield a RabbitMQ vhost of this test's own, removed afterwards."""
    if suite_backend() != "services":
        pytest.skip("runs once, in the services pass, whose suite uses RabbitMQ as its broker")
    try:
        socket.create_connection((AMQP_HOST, AMQP_PORT), timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"RabbitMQ does not answer at {AMQP_HOST}:{AMQP_PORT}: {exc}")
    name = f"mutuals-test-{secrets.token_hex(4)}"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield name
    finally:
        rabbitmqctl("delete_vhost", name)


@pytest.fixture
def instance(tmp_path: Path, vhost: str) -> Iterator[LiveInstance]:
    """Yield a migrated instance on the suite's database whose broker is the vhost."""
    with live_instance(tmp_path / "instance") as live:
        live.env["BROKER_URL"] = f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/{vhost}"
        yield live


def waiting(vhost: str, queue: str) -> int:
    """Return how many messages RabbitMQ holds ready in a queue of the vhost."""
    for line in rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "name", "messages").splitlines():
        name, _, count = line.strip().partition("\t")
        if name == queue:
            return int(count)
    return 0


def test_a_fan_out_queued_on_rabbitmq_is_run_by_a_worker_and_acknowledged(instance: LiveInstance, vhost: str) -> None:
    """The post's fan-out waits in RabbitMQ's `fanout` queue until a worker starts, runs, and leaves it empty."""
    instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
    url = instance.manage("poststatus", "alice", "through the rabbit hole").stdout.strip()
    status_id = int(url.rsplit("/", 1)[1])
    assert waiting(vhost, "fanout") == 1

    instance.start_worker()
    # Acknowledged late, so the queue empties once the task has run.
    wait_for(lambda: waiting(vhost, "fanout") == 0, timeout=60, message="the worker to run and acknowledge the task")
    check = f"Status.objects.filter(id={status_id}, fanned_out_at__isnull=False).exists()"
    assert instance.shell(f"from timeline.models import Status; print({check})") == "True"
    assert "amqp://guest:**@127.0.0.1:5672/" in instance.log("worker")
