"""PostgreSQL, then Redis, restarted under a burst of keyed posts: 503 meanwhile, then everything recovers.

Both servers are private to this test (a PostgreSQL cluster and a Redis on
free loopback ports), so stopping them disturbs nothing else on the machine.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.posting_burst import Burst, Inbox, Outcome, check_burst, follow_from
from tests.e2e.private_postgres import BIN, private_postgres
from tests.e2e.private_services import private_redis
from tests.live import LiveInstance, wait_for

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


def _answers_during(outcomes: list[Outcome], prefix: str) -> list[str]:
    return [answer for outcome in outcomes for answer in outcome.answers if answer.startswith(prefix)]


def test_posts_survive_postgres_then_redis_restarting(tmp_path: Path) -> None:
    with private_postgres() as postgres, private_redis() as cache, Inbox() as inbox:
        instance = LiveInstance(
            tmp_path / "instance",
            backend="services",
            name="faults",
            postgres_admin_url=postgres.admin_url,
            redis_url=cache.base_url,
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
