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
    """The worker is killed with SIGKILL once it has processed a tenth of the flood, and before the second
    half of the flood is sent; a new worker then processes every activity answered 202: the batch the dead
    worker held rolled back with its connection, the second half's tasks wait in the broker, and the new
    worker's start-up recovery queues every item still received.

    Holding back the second half until the worker is dead makes the kill land mid-flood however fast the
    worker is: a worker that outran the test used to finish the whole flood before it could be killed.
    """
    private_pem = seed_remote_actor(instance)
    signed = signed_creates(instance, private_pem, FLOOD)
    first_half, second_half = signed[: FLOOD // 2], signed[FLOOD // 2 :]
    instance.start_web()
    instance.start_worker()
    killed = threading.Event()
    kill_lock = threading.Lock()

    def kill_once_processing() -> None:
        with kill_lock:
            if not killed.is_set() and int(query_one(instance, PROCESSED) or 0) >= FLOOD // 10:
                instance.stop("worker", signal.SIGKILL)
                killed.set()

    def killed_now() -> bool:
        kill_once_processing()
        return killed.is_set()

    answers = post_all(instance, first_half, after_each=kill_once_processing)
    # A worker slower than the first half (PostgreSQL waiting on a synchronous standby, a busy machine)
    # reaches the tenth only after its last POST: it is killed then, still mid-way through the backlog.
    wait_for(killed_now, timeout=60, message="the worker to be killed")
    at_restart = int(query_one(instance, PROCESSED) or 0)
    answers |= post_all(instance, second_half)
    accepted = sorted(activity_id for activity_id, status in answers.items() if status == 202)
    assert len(answers) == FLOOD and len(accepted) == FLOOD, sorted(set(answers.values()))
    assert at_restart <= len(first_half)
    assert int(query_one(instance, PROCESSED) or 0) == at_restart, "nothing is processed with no worker running"

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
