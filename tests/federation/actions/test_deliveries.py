"""Deliveries: one row per distinct inbox, retried with back-off, hosts tracked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federation.actions.deliveries import (
    DELIVERY_BATCH,
    MAX_ATTEMPTS,
    do_attempt_deliveries,
    do_attempt_delivery,
    do_queue_activity,
    due_deliveries,
    record_host_failure,
    retry_delay,
)
from federation.actions.domain_policies import do_set_domain_policy
from federation.models import Actor, Delivery, RemoteHost
from tests.factories.federation import RemoteActorFactory
from tests.federation.network import FakeNetwork


def _activity(actor: Actor, n: int = 1) -> dict[str, object]:
    return {"id": f"{actor.uri}#test/{n}", "type": "Create", "actor": actor.uri, "object": "x"}


@pytest.mark.django_db
def test_one_delivery_per_distinct_inbox_skipping_local_suspended_and_unavailable(alice: Actor) -> None:
    shared = [RemoteActorFactory.create(domain="mastodon.example") for _ in range(3)]
    gts = RemoteActorFactory.create(domain="gts.example", shared_inbox_uri="")
    blocked = RemoteActorFactory.create(domain="bad.example")
    dead = RemoteActorFactory.create(domain="dead.example")
    do_set_domain_policy("bad.example", severity="suspend", authorised_by="decision 1")
    RemoteHost.objects.create(host="dead.example", unavailable=True)
    inboxes = [a.shared_inbox_uri or a.inbox_uri for a in [*shared, gts, blocked, dead]] + [alice.inbox_uri]
    outbound = do_queue_activity(alice, _activity(alice), inboxes)
    assert outbound is not None
    assert sorted(Delivery.objects.values_list("inbox", flat=True)) == [
        "https://gts.example/users/" + gts.username + "/inbox",
        "https://mastodon.example/inbox",
    ]
    # Queueing the same activity again adds nothing.
    do_queue_activity(alice, _activity(alice), inboxes)
    assert Delivery.objects.count() == 2


@pytest.mark.django_db
def test_successful_delivery_is_signed_and_marks_the_host_available(alice: Actor, network: FakeNetwork) -> None:
    do_queue_activity(alice, _activity(alice), ["https://mastodon.example/inbox"])
    delivery = Delivery.objects.get()
    RemoteHost.objects.create(host="mastodon.example", consecutive_failures=3, failure_days=["2026-11-01"])
    assert do_attempt_delivery(delivery.pk) == Delivery.State.DELIVERED
    assert network.posts == [("https://mastodon.example/inbox", _activity(alice))]
    host = RemoteHost.objects.get()
    assert host.consecutive_failures == 0 and host.failure_days == []
    # A delivered row is not sent again.
    assert do_attempt_delivery(delivery.pk) == "not due"
    assert len(network.posts) == 1


@pytest.mark.django_db
def test_server_error_is_retried_later_with_growing_delay(alice: Actor, network: FakeNetwork) -> None:
    network.post_status = 503
    do_queue_activity(alice, _activity(alice), ["https://mastodon.example/inbox"])
    delivery = Delivery.objects.get()
    assert do_attempt_delivery(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=10)
    assert delivery.last_error == "HTTP 503"
    # Not due yet: a second task does nothing.
    assert do_attempt_delivery(delivery.pk) == "not due"
    assert retry_delay(1) < retry_delay(5) < retry_delay(15)
    total = sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(days=1.5) < total < timedelta(days=3.5)


@pytest.mark.django_db
def test_client_error_fails_for_good_and_unreachable_host_is_abandoned_after_16(
    alice: Actor, network: FakeNetwork
) -> None:
    network.post_status = 410
    do_queue_activity(alice, _activity(alice, 1), ["https://gone.example/inbox"])
    assert do_attempt_delivery(Delivery.objects.get().pk) == Delivery.State.FAILED
    network.unreachable.add("https://down.example/inbox")
    do_queue_activity(alice, _activity(alice, 2), ["https://down.example/inbox"])
    delivery = Delivery.objects.get(host="down.example")
    for _ in range(MAX_ATTEMPTS):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        RemoteHost.objects.filter(host="down.example").update(circuit_open_until=None)
        state = do_attempt_delivery(delivery.pk)
    assert state == Delivery.State.ABANDONED
    delivery.refresh_from_db()
    assert delivery.attempts == MAX_ATTEMPTS


@pytest.mark.django_db
def test_host_is_unavailable_after_failures_on_seven_days_and_revived_on_success(
    alice: Actor, network: FakeNetwork
) -> None:
    RemoteHost.objects.create(host="flaky.example", failure_days=[f"2026-10-0{d}" for d in range(1, 7)])
    state = record_host_failure("flaky.example")
    assert state.unavailable
    do_queue_activity(alice, _activity(alice), ["https://flaky.example/inbox"])
    assert Delivery.objects.count() == 0
    RemoteHost.objects.filter(host="flaky.example").update(unavailable=False)
    do_queue_activity(alice, _activity(alice), ["https://flaky.example/inbox"])
    assert do_attempt_delivery(Delivery.objects.get().pk) == Delivery.State.DELIVERED
    assert not RemoteHost.objects.get(host="flaky.example").unavailable


@pytest.mark.django_db
def test_open_circuit_postpones_without_counting_an_attempt(alice: Actor, network: FakeNetwork) -> None:
    for _ in range(10):
        record_host_failure("busy.example")
    host = RemoteHost.objects.get(host="busy.example")
    assert host.circuit_open_until is not None
    do_queue_activity(alice, _activity(alice), ["https://busy.example/inbox"])
    delivery = Delivery.objects.get()
    assert do_attempt_delivery(delivery.pk) == "circuit open"
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and delivery.next_attempt_at == host.circuit_open_until
    assert network.posts == []


@pytest.mark.django_db
def test_recovery_finds_due_deliveries_only(alice: Actor) -> None:
    do_queue_activity(alice, _activity(alice, 1), ["https://a.example/inbox"])
    do_queue_activity(alice, _activity(alice, 2), ["https://b.example/inbox"])
    Delivery.objects.filter(host="a.example").update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    Delivery.objects.filter(host="b.example").update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert due_deliveries(timedelta(seconds=60)) == [Delivery.objects.get(host="a.example").pk]


@pytest.mark.django_db
def test_batch_sends_only_due_rows_and_records_each_outcome(alice: Actor, network: FakeNetwork) -> None:
    inboxes = [f"https://s{n}.example/inbox" for n in range(4)]
    do_queue_activity(alice, _activity(alice), inboxes)
    rows = {row.host: row for row in Delivery.objects.all()}
    network.unreachable.add("https://s1.example/inbox")
    Delivery.objects.filter(pk=rows["s2.example"].pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    Delivery.objects.filter(pk=rows["s3.example"].pk).update(state=Delivery.State.DELIVERED)
    RemoteHost.objects.create(host="s0.example", consecutive_failures=2, failure_days=["2026-11-01"])
    ids = [rows[f"s{n}.example"].pk for n in range(4)]
    assert do_attempt_deliveries(ids) == {
        ids[0]: Delivery.State.DELIVERED,
        ids[1]: Delivery.State.PENDING,
        ids[2]: "not due",
        ids[3]: "not due",
    }
    assert [url for url, _ in network.posts] == ["https://s0.example/inbox"]
    sent, failed = Delivery.objects.get(pk=ids[0]), Delivery.objects.get(pk=ids[1])
    assert sent.state == Delivery.State.DELIVERED and sent.attempts == 1 and sent.delivered_at is not None
    assert failed.attempts == 1 and "connection refused" in failed.last_error
    assert RemoteHost.objects.get(host="s0.example").consecutive_failures == 0
    assert RemoteHost.objects.get(host="s1.example").consecutive_failures == 1
    # Claimed rows are not claimed again: a second batch over the same ids sends nothing.
    assert set(do_attempt_deliveries(ids).values()) == {"not due"}
    assert len(network.posts) == 1


@pytest.mark.django_db
def test_queueing_sends_deliveries_in_batches(alice: Actor, network: FakeNetwork) -> None:
    inboxes = [f"https://h{n}.example/inbox" for n in range(DELIVERY_BATCH + 3)]
    with pytest.MonkeyPatch.context() as patch:
        queued: list[tuple[str, tuple[object, ...]]] = []
        patch.setattr(
            "federation.actions.deliveries.enqueue_on_commit", lambda name, *args: queued.append((name, args))
        )
        do_queue_activity(alice, _activity(alice), inboxes)
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    assert queued == [
        ("federation.tasks.deliver_activities", (ids[:DELIVERY_BATCH],)),
        ("federation.tasks.deliver_activities", (ids[DELIVERY_BATCH:],)),
    ]
