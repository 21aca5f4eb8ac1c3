"""Deliveries survive faults: a worker killed mid-burst, and a peer that refuses connections for a while."""

from __future__ import annotations

import math
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from federation import transport
from federation.actions.deliveries import (
    SCHEDULE_AHEAD,
    do_attempt_deliveries,
    do_queue_activity,
    schedule_due_deliveries,
)
from federation.models import Actor, Delivery, RemoteHost
from tests.e2e.database import query_one
from tests.e2e.peers import RecordingPeer, recording_peers
from tests.live import LiveInstance, free_port, wait_for

ATTEMPTS_REFUSED = 5


class Clock:
    """A `timezone.now` that moves only when told."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)


def _second_after(moment: datetime) -> datetime:
    return datetime.fromtimestamp(math.ceil(moment.timestamp()), tz=UTC)


@pytest.mark.django_db
def test_a_peer_refusing_connections_gets_its_delivery_on_the_back_off_schedule_once_back(
    alice: Actor, monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper
) -> None:
    """Each refused attempt is followed by one `retry_delay(attempts)` later (no sooner: the row is not due),
    and its task is queued for that moment: at once when the wait is short, by the sweep within
    SCHEDULE_AHEAD of it otherwise. When the peer listens again, the next attempt delivers, once.
    """
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    monkeypatch.setattr("federation.actions.deliveries.signed_post", transport.signed_post)
    queued: list[tuple[datetime | None, list[int]]] = []
    monkeypatch.setattr("federation.actions.deliveries.enqueue_on_commit", lambda name, ids: queued.append((None, ids)))
    monkeypatch.setattr(
        "federation.actions.deliveries.enqueue_at_on_commit", lambda name, eta, ids: queued.append((eta, ids))
    )
    port = free_port()
    inbox = f"http://localhost:{port}/inbox"
    clock = Clock(monkeypatch)
    activity = {"id": f"{alice.uri}#fault/1", "type": "Create", "actor": alice.uri, "object": "x"}
    do_queue_activity(alice, activity, [inbox])
    delivery = Delivery.objects.get()
    assert queued == [(None, [delivery.pk])]
    for attempt in range(1, ATTEMPTS_REFUSED + 1):
        due = Delivery.objects.get().next_attempt_at
        clock.now = due - timedelta(seconds=1)
        assert do_attempt_deliveries([delivery.pk]) == {delivery.pk: "not due"}
        if due - clock.now <= SCHEDULE_AHEAD and attempt > 1:
            # The sweep before its time queues it for its time.
            queued.clear()
            schedule_due_deliveries()
            assert queued == [(_second_after(due), [delivery.pk])]
        clock.now = due
        queued.clear()
        assert do_attempt_deliveries([delivery.pk]) == {delivery.pk: Delivery.State.PENDING}
        row = Delivery.objects.get()
        assert row.attempts == attempt and row.last_attempt_at == due
        assert "failed" in row.last_error and str(port) in row.last_error
        wait = (row.next_attempt_at - due).total_seconds()
        assert attempt**4 + 15 <= wait <= attempt**4 + 15 + 9 * (attempt + 1)
        # A short wait is queued at once for its time; a longer one is left to the sweep.
        expected = (
            [(_second_after(row.next_attempt_at), [delivery.pk])] if wait <= SCHEDULE_AHEAD.total_seconds() else []
        )
        assert queued == expected
    assert RemoteHost.objects.get(host=f"localhost:{port}").consecutive_failures == ATTEMPTS_REFUSED

    peer = RecordingPeer(port)
    try:
        clock.now = Delivery.objects.get().next_attempt_at
        assert do_attempt_deliveries([delivery.pk]) == {delivery.pk: Delivery.State.DELIVERED}
        assert peer.ids() == {activity["id"]: 1} and peer.signed == [True]
    finally:
        peer.close()
    row = Delivery.objects.get()
    assert row.attempts == ATTEMPTS_REFUSED + 1 and row.last_error == "" and row.delivered_at == clock.now
    assert RemoteHost.objects.get(host=f"localhost:{port}").consecutive_failures == 0


BURST_ACTIVITIES = 10
INBOXES_PER_PEER = 8
QUEUE_BURST = """
from django.db import transaction
from federation.actions.deliveries import do_queue_activity
from federation.models import Actor
alice = Actor.objects.get(username="alice", domain="")
for n in range({count}):
    activity = {{"id": f"{{alice.uri}}#burst/{{n}}", "type": "Create", "actor": alice.uri, "object": "x"}}
    with transaction.atomic():
        do_queue_activity(alice, activity, {inboxes!r})
print(alice.uri)
"""


@pytest.mark.live
def test_a_worker_killed_mid_burst_leaves_every_delivery_to_its_successor(instance: LiveInstance) -> None:
    """Every (inbox, activity) arrives after the worker is killed with SIGKILL and another starts.

    The rows the dead worker held come due when its claim's lease (CLAIM_LEASE, 40 s) lapses; the new
    worker's start-up sweep has queued them for that moment. Duplicates are the deliveries the dead
    worker had sent but not yet recorded: it records its successes every RECORD_EVERY (5) sends, so at
    most 4 sent and unrecorded plus the POST in flight, 5 in all for its one task (solo pool). The peers
    deduplicate by activity id; here they count.
    """
    instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
    with recording_peers(4, delay=0.02) as peers:
        inboxes = [f"http://{peer.host}/users/u{k}/inbox" for peer in peers for k in range(INBOXES_PER_PEER)]
        alice_uri = instance.shell(QUEUE_BURST.format(count=BURST_ACTIVITIES, inboxes=inboxes))
        expected = {
            (f"/users/u{k}/inbox", f"{alice_uri}#burst/{n}")
            for k in range(INBOXES_PER_PEER)
            for n in range(BURST_ACTIVITIES)
        }
        total = len(expected) * len(peers)

        def arrived() -> int:
            return sum(sum(peer.arrivals().values()) for peer in peers)

        instance.start_worker()
        wait_for(lambda: arrived() >= total // 3, timeout=60, message="a third of the burst to arrive")
        instance.stop("worker", signal.SIGKILL)
        killed_at = time.time()
        at_kill = arrived()
        assert at_kill < total, "the burst ended before the worker was killed"

        instance.start_worker(role="worker2")
        wait_for(
            lambda: all(set(peer.arrivals()) == expected for peer in peers),
            timeout=60,
            message="every delivery to arrive after the restart",
        )
        recovered_after = max(peer.last_arrival() for peer in peers) - killed_at
        duplicates = sum(count - 1 for peer in peers for count in peer.arrivals().values())
        print(f"killed after {at_kill}/{total} arrivals; all in {recovered_after:.1f} s; {duplicates} duplicates")
        assert duplicates <= 5
        assert recovered_after < 60
        assert all(all(peer.signed) for peer in peers)
    wait_for(
        lambda: query_one(instance, "SELECT COUNT(*) FROM federation_delivery WHERE state = 'delivered'") == total,
        timeout=20,
        message="every row recorded as delivered",
    )
