"""Fixtures shared by the whole suite."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client, TransactionTestCase
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.plugin import DjangoDbBlocker

from federation.actions import deliveries, outbox
from federation.models import Actor
from tests.factories.federation import LocalActorFactory
from tests.federation.network import FakeNetwork
from tests.federation.network import network as network  # noqa: PLC0414 (re-exported as a fixture)
from timeline.activitypub import outbox as status_outbox


def pytest_configure(config: pytest.Config) -> None:
    """Where the suite has a read replica, let every database test read it.

    Requests in transactional and live tests read the replica (the standby of
    CI's services pass), as they would in production; tests inside a
    transaction never reach it, since the router keeps those reads on the
    primary. Django refuses queries to an alias a test did not name.
    """
    if "replica" in settings.DATABASES:
        TransactionTestCase.databases = {"default", "replica"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Behind PgBouncer, end its server connections to the test database before that database is dropped.

    PgBouncer keeps server connections open after Django closes its own, and
    PostgreSQL refuses to drop a database anyone is connected to.
    """
    yield
    default = connections["default"]
    if not default.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        return
    connections.close_all()
    # The PostgreSQL backend's pool holds connections of its own.
    default.close_pool()  # type: ignore[attr-defined]
    with django_db_blocker.unblock(), default._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [default.settings_dict["NAME"]],
        )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: SettingsWrapper, tmp_path: Path) -> None:
    """Keep uploaded files of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MUTUALS_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _no_real_network(network: FakeNetwork) -> None:
    """Route every fetch and delivery of in-process tests to a simulated network.

    Tests never contact other servers (nor resolve their names); tests that
    federate for real do it between live instances on loopback.
    """


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "testserver"})
_real_getaddrinfo = socket.getaddrinfo


_real_connect = socket.socket.connect


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _loopback_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    # An address literal needs no lookup; connecting to it is checked below.
    if name not in LOOPBACK_NAMES and not _is_ip_literal(name):
        raise socket.gaierror(f"tests resolve loopback names only, not {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _loopback_only_connect(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
        raise ConnectionRefusedError(f"tests connect to loopback addresses only, not {address[0]}")
    _real_connect(sock, address)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve and connect to loopback only, so no test can reach another machine."""
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", _loopback_only_connect)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Start every test with an empty cache, so rate-limit counters never leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Give every test the default language back: a request in French leaves French active in its thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def alice(db: None) -> Actor:
    """Return a local member's actor."""
    return LocalActorFactory.create(user__username="alice", username="alice")


@pytest.fixture
def bob(db: None) -> Actor:
    """Return a second local member's actor."""
    return LocalActorFactory.create(user__username="bob", username="bob")


@pytest.fixture
def alice_client(alice: Actor) -> Client:
    """Return a web client signed in as alice."""
    client = Client()
    assert alice.user is not None
    client.force_login(alice.user)
    return client


@pytest.fixture
def queued_activities(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Return the activities queued for delivery, as their renderers built them (key order kept).

    The stored body loses its key order in PostgreSQL's jsonb, so the
    activities are caught on their way in. Fresh activity ids end in "abab...".
    """
    queued: list[dict[str, Any]] = []

    def capture(actor: Actor, activity: dict[str, Any], inboxes: list[str], **options: Any) -> Any:
        queued.append(activity)
        return deliveries.do_queue_activity(actor, activity, inboxes, **options)

    monkeypatch.setattr(secrets, "token_hex", lambda size=32: "ab" * size)
    monkeypatch.setattr(outbox, "do_queue_activity", capture)
    monkeypatch.setattr(status_outbox, "do_queue_activity", capture)
    return queued
