"""PostgreSQL, then Redis, restarted under a burst of keyed posts: 503 meanwhile, then everything recovers.

Both servers are private to this test (a PostgreSQL cluster and a Redis on
free loopback ports), so stopping them disturbs nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.e2e.posting_burst import Burst, Inbox, Outcome, check_burst, follow_from
from tests.e2e.private_postgres import BIN, private_postgres
from tests.live import LiveInstance, free_port, wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        shutil.which("redis-server") is None or not (BIN / "initdb").exists(),
        reason="needs redis-server and PostgreSQL 15's initdb to run private servers",
    ),
]

POSTS = 30
BURST_SECONDS = 100
OUTAGE_SECONDS = 4
# Fan-outs and deliveries whose tasks were lost with Redis's memory are queued
# again by the recovery tasks, which beat runs every minute.
RECOVERY_SECONDS = 150


class PrivateRedis:
    """A Redis server of the test's own, without persistence: a restart loses every key and queued message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server on its port and wait until it answers."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        wait_for(lambda: _answers(client), timeout=10, message="the private Redis to answer")

    def stop(self) -> None:
        """Stop the server, as a restart would."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """Yield a started private Redis; stop it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="mutuals-redis-"))
    server = PrivateRedis(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _answers_during(outcomes: list[Outcome], prefix: str) -> list[str]:
    return [answer for outcome in outcomes for answer in outcome.answers if answer.startswith(prefix)]


def test_posts_survive_postgres_then_redis_restarting(tmp_path: Path) -> None:
    with private_postgres() as postgres, private_redis() as cache, Inbox() as inbox:
        instance = LiveInstance(
            tmp_path / "instance",
            backend="services",
            name="faults",
            postgres_admin_url=postgres.admin_url,
            redis_url=cache.url,
        )
        try:
            instance.setup()
            instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
            token = instance.manage("mint_token", "alice", "--scopes", "read write").stdout.strip()
            follow_from(instance, inbox, "alice")
            instance.start_web()
            worker = instance.start_worker(beat=True)
            keys = [f"fault-{n}" for n in range(POSTS)]
            burst = Burst(instance.base_url, token, keys, time.monotonic() + BURST_SECONDS).start()

            wait_for(lambda: burst.answered() >= 5, timeout=30, message="posts before PostgreSQL stops")
            postgres.stop()
            time.sleep(OUTAGE_SECONDS)
            postgres.start()

            wait_for(lambda: burst.answered() >= 15, timeout=40, message="posts after PostgreSQL is back")
            cache.stop()
            time.sleep(OUTAGE_SECONDS)
            cache.start()
            restarted = time.monotonic()

            wait_for(lambda: burst.answered() >= 20, timeout=40, message="posts after Redis is back")
            # The worker rides out the Redis restart (or is back) within 10 s.
            time.sleep(max(0.0, restarted + 10 - time.monotonic()))
            assert worker.poll() is None, instance.log("worker")[-3000:]
            outcomes = burst.join()
            check_burst(instance, inbox, outcomes, timeout=RECOVERY_SECONDS)
            # The outage of PostgreSQL was answered 503, with a clear error, while it lasted.
            database_refusals = _answers_during(outcomes, "503 The server's database is unavailable")
            assert database_refusals, [outcome.answers for outcome in outcomes]
            assert worker.poll() is None
        finally:
            instance.close()
