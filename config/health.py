"""Check that the database, the broker and the channel layer answer, and that the worker and beat are alive."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, connection

from config.celery import EMBEDDED_TRANSPORT, QUEUE_DEFAULT, app
from config.env import redacted
from config.heartbeats import heartbeat_states
from config.models import Heartbeat

CHECK_TIMEOUT = 3


@dataclass(frozen=True)
class ServiceCheck:
    """The answer of one service: whether it works, where it is, and why not."""

    name: str
    ok: bool
    backend: str
    detail: str
    milliseconds: float

    def as_dict(self) -> dict[str, object]:
        """Return the check as JSON-ready data."""
        return {
            "ok": self.ok,
            "backend": self.backend,
            "detail": self.detail,
            "ms": round(self.milliseconds, 1),
        }


def _timed(name: str, backend: str, probe: Callable[[], str]) -> ServiceCheck:
    start = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as exc:  # noqa: BLE001 (any failure of a service is reported, not raised)
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        ok = False
    return ServiceCheck(name, ok, backend, str(detail), (time.perf_counter() - start) * 1000)


def check_database() -> ServiceCheck:
    """Run a trivial query on the default database.

    PostgreSQL is asked over a connection of its own with a short timeout,
    not through the connection pool, which would retry for its whole timeout
    and log each attempt.
    """
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        where = str(db["NAME"])

        def probe() -> str:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            return where

        return _timed("database", engine, probe)

    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"

    def probe_postgresql() -> str:
        # Imported here: 6 MiB in every process, and the embedded instance has no PostgreSQL to ask.
        import psycopg  # noqa: PLC0415

        with psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            connect_timeout=CHECK_TIMEOUT,
        ) as conn:
            conn.execute("SELECT 1")
        return where

    return _timed("database", engine, probe_postgresql)


def check_broker() -> ServiceCheck:
    """Open a connection to the Celery broker; when embedded, count the messages waiting in its file."""
    url = app.conf.broker_url
    embedded = url.startswith(f"{EMBEDDED_TRANSPORT}+")
    backend = "sqlite" if embedded else url.split(":", 1)[0]

    def probe() -> str:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT)
            if embedded:
                # A query, not just a connection object: a virtual transport opens nothing until asked.
                waiting = conn.default_channel._size(QUEUE_DEFAULT)  # type: ignore[attr-defined]
                return f"{url.split(':///', 1)[1]} ({waiting} waiting in {QUEUE_DEFAULT})"
        return redacted(url)

    return _timed("broker", backend, probe)


def check_channel_layer() -> ServiceCheck:
    """Send a message through the channel layer and read it back."""
    layer = get_channel_layer()
    backend = type(layer).__name__ if layer is not None else "none"

    async def round_trip() -> str:
        if layer is None:
            raise RuntimeError("no channel layer configured")
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.ping"})
        message = await asyncio.wait_for(layer.receive(channel), CHECK_TIMEOUT)
        if message.get("type") != "health.ping":
            raise RuntimeError(f"unexpected message {message!r}")
        return "round trip"

    def probe() -> str:
        # On a loop of its own: a pub/sub layer keeps a channel subscribed
        # until its loop closes, and the web process's loop never does.
        return async_to_sync(round_trip, force_new_loop=True)()

    return _timed("channel_layer", backend, probe)


def check_heartbeats() -> list[ServiceCheck]:
    """Return one check per background process: alive, starting (never seen yet) or stale."""
    start = time.perf_counter()
    try:
        states = heartbeat_states()
    except DatabaseError as exc:
        if Heartbeat._meta.db_table not in connection.introspection.table_names():
            # Not migrated yet, so no worker can have run: the same as never seen.
            elapsed = (time.perf_counter() - start) * 1000
            return [
                ServiceCheck(name, True, "heartbeat", "starting: not migrated yet", elapsed)
                for name in Heartbeat.Process.values
            ]
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        elapsed = (time.perf_counter() - start) * 1000
        return [ServiceCheck(name, False, "heartbeat", detail, elapsed) for name in Heartbeat.Process.values]
    elapsed = (time.perf_counter() - start) * 1000
    stale_after = settings.MUTUALS_HEARTBEAT_STALE_SECONDS
    checks = []
    for state in states:
        if state.age_seconds is None:
            detail = "starting: no heartbeat seen yet"
        else:
            detail = f"{state.state}: last heartbeat {state.age_seconds:.0f} s ago"
            if not state.ok:
                detail += f" (stale after {stale_after} s)"
        checks.append(ServiceCheck(state.process, state.ok, "heartbeat", detail, elapsed))
    return checks


def check_services() -> list[ServiceCheck]:
    """Return the checks of every service Mutuals depends on."""
    return [check_database(), check_broker(), check_channel_layer()]


def check_all() -> list[ServiceCheck]:
    """Return the checks of every service Mutuals depends on and of its background processes."""
    return [*check_services(), *check_heartbeats()]
