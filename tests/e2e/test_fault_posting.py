"""Killing the web process mid-burst of posts loses nothing and duplicates nothing."""

from __future__ import annotations

import signal
import time

import pytest

from tests.e2e.posting_burst import Burst, Inbox, check_burst, follow_from
from tests.live import LiveInstance, wait_for

pytestmark = pytest.mark.live

POSTS = 16
BURST_SECONDS = 60


def test_a_web_process_killed_mid_burst_loses_and_duplicates_no_post(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
    token = instance.manage("mint_token", "alice", "--scopes", "read write").stdout.strip()
    with Inbox() as inbox:
        follow_from(instance, inbox, "alice")
        instance.start_web()
        instance.start_worker(beat=True)
        burst = Burst(
            instance.base_url, token, [f"kill-{n}" for n in range(POSTS)], time.monotonic() + BURST_SECONDS
        ).start()
        for kill_after in (3, 9):
            wait_for(lambda n=kill_after: burst.answered() >= n, timeout=30, message=f"{kill_after} posts answered")
            # SIGKILL: no shutdown, whatever request is in flight dies half-way.
            instance.stop("web", signal.SIGKILL)
            instance.start_web()
        outcomes = burst.join()
        # A post whose web process died before queueing its tasks is fanned out and delivered by the
        # recovery tasks, which beat runs every minute.
        check_burst(instance, inbox, outcomes, timeout=100)
    retried = [outcome for outcome in outcomes if len(outcome.answers) > 1]
    assert retried, "no post was interrupted by the kills"
    assert instance.processes["worker"].poll() is None
