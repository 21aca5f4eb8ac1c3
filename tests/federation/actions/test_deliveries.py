"""Deliveries: one row per distinct inbox, retried with back-off, hosts tracked."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from federation.actions.deliveries import (
    CLAIM_LEASE,
    DELIVERY_BATCH,
    MAX_ATTEMPTS,
    RECORD_EVERY,
    SCHEDULE_AHEAD,
    _claim,
    do_attempt_deliveries,
    do_attempt_delivery,
    do_queue_activity,
    due_deliveries,
    record_host_failure,
    retry_delay,
    schedule_due_deliveries,
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
    assert [row[0] for row in due_deliveries()] == [Delivery.objects.get(host="a.example").pk]


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


class Queued:
    """Tasks queued by the deliveries action: (eta or None, ids)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tasks: list[tuple[datetime | None, list[int]]] = []
        monkeypatch.setattr(
            "federation.actions.deliveries.enqueue_on_commit", lambda name, ids: self.tasks.append((None, ids))
        )
        monkeypatch.setattr(
            "federation.actions.deliveries.enqueue_at_on_commit", lambda name, eta, ids: self.tasks.append((eta, ids))
        )


@pytest.mark.django_db
def test_a_killed_workers_claim_lapses_within_the_lease_and_its_rows_are_sent_again(
    alice: Actor, network: FakeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    do_queue_activity(alice, _activity(alice), ["https://a.example/inbox", "https://b.example/inbox"])
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    start = timezone.now()
    # A worker claims both rows and dies before sending.
    assert [row.pk for row in _claim(ids, start + CLAIM_LEASE)] == ids
    assert timedelta(seconds=45) >= CLAIM_LEASE
    assert set(do_attempt_deliveries(ids).values()) == {"not due"}
    # The sweep queues them for the moment the lease lapses, not later.
    queued = Queued(monkeypatch)
    assert schedule_due_deliveries() == 2
    assert queued.tasks == [(_ceil_second(start + CLAIM_LEASE), ids)]
    monkeypatch.setattr("django.utils.timezone.now", lambda: start + CLAIM_LEASE)
    assert set(do_attempt_deliveries(ids).values()) == {Delivery.State.DELIVERED}
    assert len(network.posts) == 2


def _ceil_second(moment: datetime) -> datetime:
    return datetime.fromtimestamp(math.ceil(moment.timestamp()), tz=UTC)


@pytest.mark.django_db
def test_a_long_batch_renews_its_lease_and_skips_a_row_it_lost(
    alice: Actor, network: FakeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    inboxes = [f"https://s{n}.example/inbox" for n in range(3)]
    do_queue_activity(alice, _activity(alice), inboxes)
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    monkeypatch.setattr("federation.actions.deliveries.LEASE_RENEWAL", timedelta(0))
    posted = network.post

    first_state_at_second_post: list[str] = []

    def post_then_lose_the_last_row(url: str, body: bytes, **kwargs: object) -> object:
        # While the first row is sent, another worker takes the last one (its lease lapsed, say).
        if url == inboxes[0]:
            Delivery.objects.filter(pk=ids[2]).update(next_attempt_at=timezone.now() + timedelta(hours=1))
        if url == inboxes[1]:
            first_state_at_second_post.append(Delivery.objects.get(pk=ids[0]).state)
        return posted(url, body, **kwargs)

    monkeypatch.setattr("federation.actions.deliveries.signed_post", post_then_lose_the_last_row)
    before = timezone.now()
    outcomes = do_attempt_deliveries(ids)
    assert outcomes == {ids[0]: "delivered", ids[1]: "delivered", ids[2]: "not due"}
    assert [url for url, _ in network.posts] == inboxes[:2]
    # The renewal before the second POST recorded the first success.
    assert first_state_at_second_post == [Delivery.State.DELIVERED]
    lost = Delivery.objects.get(pk=ids[2])
    assert lost.state == Delivery.State.PENDING and lost.next_attempt_at > before + timedelta(minutes=30)


@pytest.mark.django_db
def test_successes_are_recorded_every_few_sends_so_a_death_repeats_few(
    alice: Actor, network: FakeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    inboxes = [f"https://h{n:02}.example/inbox" for n in range(12)]
    do_queue_activity(alice, _activity(alice), inboxes)
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    posted = network.post

    def die_on_the_eighth(url: str, body: bytes, **kwargs: object) -> object:
        if len(network.posts) == 7:
            raise SystemExit("worker killed")
        return posted(url, body, **kwargs)

    monkeypatch.setattr("federation.actions.deliveries.signed_post", die_on_the_eighth)
    with pytest.raises(SystemExit):
        do_attempt_deliveries(ids)
    delivered = Delivery.objects.filter(state=Delivery.State.DELIVERED).count()
    assert delivered == RECORD_EVERY
    # Sent but not recorded: these are the duplicates a death costs, fewer than RECORD_EVERY plus the POST in flight.
    assert len(network.posts) - delivered == 7 - RECORD_EVERY < RECORD_EVERY


@pytest.mark.django_db
def test_a_short_retry_is_queued_for_its_due_time_and_a_long_one_left_to_the_sweep(
    alice: Actor, network: FakeNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    network.unreachable.update({"https://a.example/inbox", "https://b.example/inbox"})
    do_queue_activity(alice, _activity(alice), ["https://a.example/inbox", "https://b.example/inbox"])
    first, second = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=second.pk).update(attempts=3)
    queued = Queued(monkeypatch)
    do_attempt_deliveries([first.pk, second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.attempts == 1 and second.attempts == 4
    assert second.next_attempt_at - timezone.now() > SCHEDULE_AHEAD
    assert first.last_attempt_at is not None and "connection refused" in first.last_error
    # The first retry (16 to 25 s away) is queued now, for its time; the fourth (4.5 min away) is not.
    assert queued.tasks == [(_ceil_second(first.next_attempt_at), [first.pk])]


@pytest.mark.django_db
def test_the_sweep_queues_due_rows_now_and_coming_ones_for_their_time(
    alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    inboxes = [f"https://h{n}.example/inbox" for n in range(4)]
    do_queue_activity(alice, _activity(alice), inboxes)
    rows = {row.host: row.pk for row in Delivery.objects.all()}
    now = timezone.now()
    Delivery.objects.filter(pk=rows["h0.example"]).update(next_attempt_at=now - timedelta(seconds=1))
    Delivery.objects.filter(pk=rows["h1.example"]).update(next_attempt_at=now + timedelta(seconds=30))
    Delivery.objects.filter(pk=rows["h2.example"]).update(next_attempt_at=now + SCHEDULE_AHEAD * 2)
    Delivery.objects.filter(pk=rows["h3.example"]).update(next_attempt_at=now, state=Delivery.State.DELIVERED)
    queued = Queued(monkeypatch)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    assert schedule_due_deliveries() == 2
    assert queued.tasks == [
        (None, [rows["h0.example"]]),
        (_ceil_second(now + timedelta(seconds=30)), [rows["h1.example"]]),
    ]
