"""The web and worker processes' memory stays bounded through a flood of 5,000 inbox activities."""

from __future__ import annotations

import time

import psutil
import pytest

from tests.e2e.database import query_one
from tests.e2e.flood import post_all, seed_remote_actor, signed_creates
from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

WARM_UP = 200
FLOOD = 5000
# The worker keeps processing the flood for at most this long after the last answer: on an idle
# machine it is done by then; on a loaded one it has processed enough for its memory to tell.
PROCESSING_SECONDS = 45
PROCESSED = "SELECT COUNT(*) FROM federation_inboxitem WHERE state = 'processed'"
MiB = 2**20


def memory(instance: LiveInstance, role: str) -> tuple[float, float]:
    """Return the RSS and PSS of a process and its children, in MiB."""
    root = psutil.Process(instance.processes[role].pid)
    rss = pss = 0.0
    for process in [root, *root.children(recursive=True)]:
        info = process.memory_full_info()
        rss += info.rss
        pss += info.pss
    return rss / MiB, pss / MiB


def processed(instance: LiveInstance) -> int:
    return int(query_one(instance, PROCESSED) or 0)


def test_memory_of_web_and_worker_is_bounded_through_a_flood(instance: LiveInstance) -> None:
    """After a warm-up (modules loaded, caches filled), accepting 5,000 activities grows the web process's
    RSS by less than 48 MiB, the second 2,500 by less than 16 MiB, and processing them grows the worker's
    by less than 48 MiB. What a process keeps is bounded by design: the signer cache holds 1,000 actors,
    a worker holds one batch of 100 items, host and policy caches hold a few rows. What grows with a
    flood is the allocator's high-water mark (request buffers, a batch's rows and queries), not a store
    of activities: a leak of even 4 KiB per activity would add 10 MiB per 2,500 and show in the
    second half as much as in the first.
    """
    private_pem = seed_remote_actor(instance, followers=1)
    instance.start_web()
    instance.start_worker()
    assert sorted(set(post_all(instance, signed_creates(instance, private_pem, WARM_UP, tag="warm-up")).values())) == [
        202
    ]
    wait_for(lambda: processed(instance) == WARM_UP, timeout=60, message="the warm-up processed")
    halves = [signed_creates(instance, private_pem, FLOOD // 2, tag=tag) for tag in ("first", "second")]
    before = {role: memory(instance, role) for role in ("web", "worker")}
    started = time.monotonic()
    assert sorted(set(post_all(instance, halves[0], connections=8).values())) == [202]
    web_middle = memory(instance, "web")
    assert sorted(set(post_all(instance, halves[1], connections=8).values())) == [202]
    web_after = memory(instance, "web")
    accepted_in = time.monotonic() - started
    deadline = time.monotonic() + PROCESSING_SECONDS
    while time.monotonic() < deadline and processed(instance) < WARM_UP + FLOOD:
        time.sleep(0.5)
    worker_after = memory(instance, "worker")
    done = processed(instance) - WARM_UP
    print(
        f"accepted {FLOOD} in {accepted_in:.0f} s, {done} processed by then + {PROCESSING_SECONDS} s at most; "
        f"web RSS {before['web'][0]:.0f} -> {web_middle[0]:.0f} -> {web_after[0]:.0f} MiB "
        f"(PSS {before['web'][1]:.0f} -> {web_after[1]:.0f}); "
        f"worker RSS {before['worker'][0]:.0f} -> {worker_after[0]:.0f} MiB "
        f"(PSS {before['worker'][1]:.0f} -> {worker_after[1]:.0f})"
    )
    assert done >= FLOOD // 10, "the worker processed too little of the flood for its memory to tell"
    assert web_after[0] - before["web"][0] < 48
    assert web_after[0] - web_middle[0] < 16
    assert worker_after[0] - before["worker"][0] < 48
