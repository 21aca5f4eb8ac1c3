"""The production topology on loopback: Daphne, a Celery worker and beat, PostgreSQL, Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.database import query_one
from tests.live import LiveInstance, live_instance, services_available, wait_for

pytestmark = pytest.mark.live


@pytest.fixture
def production(tmp_path: Path) -> Iterator[LiveInstance]:
    reason = services_available()
    if reason is not None:
        pytest.skip(f"the production topology needs PostgreSQL and Redis on loopback: {reason}")
    with live_instance(tmp_path / "production", backend="services", name="prod") as live:
        yield live


def test_healthz_and_a_task_round_trip(production: LiveInstance) -> None:
    production.start_web()
    production.start_worker()
    production.start_beat()
    health = production.wait_healthy()
    assert health["mode"] == "production"
    assert {name: check["backend"] for name, check in health["checks"].items()} == {
        "database": "postgresql",
        "broker": "redis",
        "channel_layer": "RedisPubSubChannelLayer",
        "worker": "heartbeat",
        "beat": "heartbeat",
    }

    production.manage("createmember", "alice", "--password", "a sturdy passphrase")
    url = production.manage("poststatus", "alice", "round trip").stdout.strip()
    status_id = int(url.rsplit("/", 1)[1])
    wait_for(
        lambda: query_one(production, "SELECT fanned_out_at FROM timeline_status WHERE id = %s", (status_id,)),
        timeout=60,
        message="the worker to fan out the status",
    )
    assert production.get(f"/@alice/{status_id}").status_code == 200
    wait_for(lambda: "beat: Starting" in production.log("beat"), timeout=30, message="beat to start")
    assert production.processes["beat"].poll() is None
    wait_for(
        lambda: all(
            production.get("/healthz").json()["checks"][name]["detail"].startswith("alive: ")
            for name in ("worker", "beat")
        ),
        timeout=30,
        message="the worker's and beat's heartbeats",
    )
