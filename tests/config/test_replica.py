"""Reads of web requests go to the streaming standby; writes, transactions and a writer's next reads go to the primary.

These run where the suite has a replica (CI's services pass: PgBouncer in
front of a private primary, and a real streaming standby of it).
"""

from __future__ import annotations

import socket
import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from pytest_django.fixtures import Settings as SettingsWrapper

from config.replica import (
    PIN_COOKIE,
    REPLICA_ALIAS,
    ReplicaReadsMiddleware,
    ReplicaRouter,
    primary_reads,
    remember_writer,
    replica_in_service,
    replica_reads,
)
from federation.models import Actor
from tests.clients import bearer_for, signed_in
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import StatusFactory
from timeline.models import Status

pytestmark = [
    pytest.mark.skipif(REPLICA_ALIAS not in settings.DATABASES, reason="the suite has no read replica"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture
def alice() -> Actor:
    return LocalActorFactory.create(username="alice")


@pytest.fixture
def bob() -> Actor:
    return LocalActorFactory.create(username="bob")


def replica_queries(client: Client, path: str, headers: dict[str, str]) -> tuple[int, int, int]:
    """GET the path; return the status code and how many queries ran on the primary and on the replica."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueries(REPLICA_ALIAS) as replica:
        response = client.get(path, headers=headers)
    return response.status_code, len(primary.captured_queries), len(replica.captured_queries)


class CaptureQueries(CaptureQueriesContext):
    """Capture the queries run on one database alias."""

    def __init__(self, alias: str) -> None:
        super().__init__(connections[alias])


def test_the_replica_is_a_standby_in_recovery() -> None:
    """The `replica` alias reaches a server that replays the primary's WAL, not the primary itself."""
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)


def test_a_reading_request_reads_the_standby(alice: Actor, bob: Actor) -> None:
    """A GET by a member who has not written reads the status from the standby, and nothing of it from the primary."""
    status = StatusFactory.create(account=alice)
    code, primary, replica = replica_queries(Client(), f"/api/v1/statuses/{status.id}", bearer_for(bob))
    assert code == 200
    assert replica > 0
    # Only the token check reads the primary.
    assert primary == 1


def test_a_members_write_sends_their_next_reads_to_the_primary(alice: Actor, bob: Actor) -> None:
    """After a post, the author's reads from any client (no cookie) go to the primary; another member's do not."""
    response = Client().post("/api/v1/statuses", {"status": "just written"}, headers=bearer_for(alice))
    assert response.status_code == 200
    assert response.cookies[PIN_COOKIE]["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS
    path = f"/api/v1/statuses/{response.json()['id']}"

    code, _, replica = replica_queries(Client(), path, bearer_for(alice))
    assert (code, replica) == (200, 0)
    code, _, replica = replica_queries(Client(), path, bearer_for(bob))
    assert code == 200
    assert replica > 0


def test_a_browser_that_wrote_reads_the_primary_while_its_cookie_lasts(alice: Actor) -> None:
    """The pin cookie alone sends a request's reads to the primary (a browser before it signs in)."""
    status = StatusFactory.create(account=alice)
    client = Client()
    client.cookies[PIN_COOKIE] = "1"
    code, _, replica = replica_queries(client, f"/api/v1/statuses/{status.id}", {})
    assert (code, replica) == (200, 0)


def test_a_signed_in_browser_of_a_recent_writer_reads_the_primary(alice: Actor) -> None:
    """The session's member is looked up first: one who wrote from another client reads the primary."""
    status = StatusFactory.create(account=alice)
    assert alice.user is not None
    browser = signed_in(alice.user)
    code, _, replica = replica_queries(browser, f"/api/v1/statuses/{status.id}", {})
    assert code == 200
    assert replica > 0
    remember_writer(alice.user.pk)
    code, _, replica = replica_queries(browser, f"/api/v1/statuses/{status.id}", {})
    assert (code, replica) == (200, 0)


def _post_without_waiting_for_the_standby(author: Actor) -> Status:
    with transaction.atomic():
        # The suite's primary waits for the standby on commit; this one commit must not.
        with connections["default"].cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = local")
        return StatusFactory.create(account=author)


def _on_standby(status_id: int) -> bool:
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1 FROM timeline_status WHERE id = %s", [status_id])
        return cursor.fetchone() is not None


def test_a_writer_reads_their_write_while_the_standby_lags(alice: Actor, bob: Actor) -> None:
    """With the standby behind, the author (pinned) sees the new status at once; others see it once it is replayed."""
    headers_alice, headers_bob = bearer_for(alice), bearer_for(bob)
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        status = _post_without_waiting_for_the_standby(alice)
        assert alice.user is not None
        remember_writer(alice.user.pk)
        assert not _on_standby(status.id)
        code, _, replica = replica_queries(Client(), f"/api/v1/statuses/{status.id}", headers_alice)
        assert (code, replica) == (200, 0)
        code, _, replica = replica_queries(Client(), f"/api/v1/statuses/{status.id}", headers_bob)
        assert code == 404
        assert replica > 0
    finally:
        with connections[REPLICA_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 10
    while not _on_standby(status.id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Client().get(f"/api/v1/statuses/{status.id}", headers=headers_bob).status_code == 200


def test_reads_and_writes_inside_a_transaction_never_reach_the_replica(alice: Actor) -> None:
    """In a request that may read the replica, a transaction on the primary keeps every query on the primary."""
    with (
        replica_reads(),
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueries(REPLICA_ALIAS) as replica,
    ):
        with transaction.atomic():
            assert ReplicaRouter().db_for_read(Status) == "default"
            status = StatusFactory.create(account=alice)
            assert Status.objects.filter(id=status.id).exists()
        # The request wrote: its later reads stay on the primary too.
        assert Status.objects.filter(id=status.id).exists()
    assert len(replica.captured_queries) == 0
    assert any("timeline_status" in query["sql"] for query in primary.captured_queries)


def test_outside_a_request_every_read_goes_to_the_primary(alice: Actor) -> None:
    """Workers and commands read the primary: a task must find the row whose commit queued it."""
    status = StatusFactory.create(account=alice)
    router = ReplicaRouter()
    assert router.db_for_read(Status) == "default"
    with replica_reads():
        assert router.db_for_read(Status) == REPLICA_ALIAS
        with primary_reads():
            assert router.db_for_read(Status) == "default"
    with CaptureQueries(REPLICA_ALIAS) as replica:
        assert Status.objects.get(id=status.id) == status
    assert len(replica.captured_queries) == 0


def test_migrations_run_on_the_primary_only() -> None:
    """The standby follows the primary's schema; nothing is migrated on it."""
    router = ReplicaRouter()
    assert router.allow_migrate("default", "timeline")
    assert not router.allow_migrate(REPLICA_ALIAS, "timeline")


def test_with_the_cache_unreachable_every_read_goes_to_the_primary(
    alice: Actor, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No marker can be read or written: requests still answer, reading the primary, with a log line."""

    def unreachable(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    status = StatusFactory.create(account=alice)
    headers = bearer_for(alice)
    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    code, _, replica = replica_queries(Client(), f"/api/v1/statuses/{status.id}", headers)
    assert (code, replica) == (200, 0)
    assert "read-your-writes marker unreadable" in caplog.text
    assert alice.user_id is not None
    remember_writer(alice.user_id)
    assert "read-your-writes marker not written" in caplog.text


def _closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _point_replica_at(port: str) -> None:
    """Make the replica's next connections go to `port`: its pool, which keeps its connections, is closed first."""
    replica = connections[REPLICA_ALIAS]
    replica.close()
    replica.close_pool()  # type: ignore[attr-defined]  # django-stubs lack Django 5.1's connection pools
    replica.settings_dict["PORT"] = port


def test_an_unreachable_replica_leaves_the_reads_to_the_primary_until_it_is_tried_again(
    alice: Actor, bob: Actor, settings: SettingsWrapper, caplog: pytest.LogCaptureFixture
) -> None:
    """A GET that finds the standby gone is answered from the primary; the replica rests, then is read again."""
    settings.DATABASE_REPLICA_RETRY_SECONDS = 1
    status = StatusFactory.create(account=alice)
    path, headers = f"/api/v1/statuses/{status.id}", bearer_for(bob)
    port = connections[REPLICA_ALIAS].settings_dict["PORT"]
    _point_replica_at(str(_closed_port()))
    try:
        response = Client().get(path, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == str(status.id)
        # While it rests, reads go straight to the primary: the replica is not tried, so not found unreachable again.
        response = Client().get(path, headers=headers)
        assert response.status_code == 200
        assert caplog.text.count("read replica unreachable, reading the primary") == 1
    finally:
        _point_replica_at(port)
    time.sleep(1.1)
    code, _, on_replica = replica_queries(Client(), path, headers)
    assert code == 200
    assert on_replica > 0


def test_an_error_met_on_the_primary_is_left_to_the_outage_answer() -> None:
    """Only a request whose latest query read the replica is answered again; the replica stays in service."""
    path = "/api/v1/timelines/public"
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    middleware = ReplicaReadsMiddleware(lambda request: HttpResponse())
    lost = OperationalError("server closed the connection unexpectedly")
    router = ReplicaRouter()
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Status) == "default"
            assert middleware.process_exception(request, lost) is None
        assert router.db_for_read(Status) == REPLICA_ALIAS
        assert middleware.process_exception(request, ValueError("not a lost connection")) is None
        router.db_for_write(Status)
        assert middleware.process_exception(request, lost) is None
    assert replica_in_service()
