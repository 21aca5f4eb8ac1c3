"""Every activity the inbox answered 202 is processed, even when the worker is killed during a flood."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from tests.e2e.database import query_one
from tests.e2e.flood import post_all, seed_remote_actor, signed_creates
from tests.live import LiveInstance, wait_for

pytestmark = pytest.mark.live

FLOOD = 400
PROCESSED = "SELECT COUNT(*) FROM federation_inboxitem WHERE state = 'processed'"


def test_a_worker_killed_during_an_inbox_flood_leaves_every_accepted_activity_to_its_successor(
    instance: LiveInstance,
) -> None:
    """The worker is killed with SIGKILL once it has processed a tenth of the flood (while the flood goes
    on, or just after it on a slow machine), and a new worker then processes every activity answered 202:
    the batch the dead worker held rolled back with its connection, and the new worker's start-up
    recovery queues every item still received.
    """
    private_pem = seed_remote_actor(instance)
    signed = signed_creates(instance, private_pem, FLOOD)
    instance.start_web()
    instance.start_worker()
    killed = threading.Event()

    def kill_once_processing() -> None:
        if not killed.is_set() and int(query_one(instance, PROCESSED) or 0) >= FLOOD // 10:
            killed.set()
            instance.stop("worker", signal.SIGKILL)

    answers = post_all(instance, signed, after_each=kill_once_processing)
    accepted = sorted(activity_id for activity_id, status in answers.items() if status == 202)
    assert len(answers) == FLOOD and len(accepted) == FLOOD, sorted(set(answers.values()))

    # A worker slower than the flood (PostgreSQL waiting on a synchronous standby, a busy machine) reaches
    # the tenth only after the last POST: it is killed then, still mid-way through the backlog.
    def killed_now() -> bool:
        kill_once_processing()
        return killed.is_set()

    wait_for(killed_now, timeout=60, message="the worker to be killed")
    at_restart = int(query_one(instance, PROCESSED) or 0)
    assert at_restart < len(accepted), "every activity was processed before the worker died"

    started = time.monotonic()
    instance.start_worker(role="worker2")
    wait_for(
        lambda: int(query_one(instance, PROCESSED) or 0) == len(accepted),
        timeout=60,
        message="every accepted activity to be processed",
    )
    print(f"{at_restart}/{len(accepted)} processed when restarted; the rest in {time.monotonic() - started:.1f} s")
    left = query_one(instance, "SELECT COUNT(*) FROM federation_inboxitem WHERE state != 'processed'")
    assert left == 0
    stored = query_one(instance, "SELECT COUNT(*) FROM timeline_status WHERE uri LIKE %s", ("%/statuses/flood-%",))
    assert stored == len(accepted)
