"""Send the reads of web requests to a PostgreSQL read replica, with read-your-writes.

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database and
install `ReplicaRouter` and `ReplicaReadsMiddleware`. A request whose method
only reads (GET, HEAD, OPTIONS) reads from the replica; everything else reads
from the primary (`default`):

- every write, and every read inside a transaction on the primary;
- the rest of a request once it has written anything;
- every request of a member who wrote within `DATABASE_REPLICA_PIN_SECONDS`
  (a marker in the cache keyed by the member, for clients that keep no
  cookies, and a cookie, for browsers before and after they sign in);
- authentication itself (sessions, access tokens: a token issued a moment ago
  must work at once);
- Celery workers, beat and management commands: a task is queued when its row
  commits and must find it, so nothing outside a request reads the replica.

Migrations run on the primary only. Streaming replication is asynchronous, so
a replica may lag a little; these rules keep a member from missing their own
writes, and others see them a moment later, as on any Mastodon server with
replicas.

A replica that cannot be reached does not take the site down with it: the
request that finds it unreachable is answered again from the primary, and the
process leaves the replica alone for `DATABASE_REPLICA_RETRY_SECONDS` before
trying it again, so the primary carries the reads until the replica is back.

Written here rather than taken from django-multidb-router: that library pins
a thread (not a context, which ASGI views and async code need), keys its pin
on a cookie only (Mastodon apps keep none), sends every read outside a
request to the replica (workers would miss rows committed a moment before),
and does not look at open transactions.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import redis
from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"
PIN_COOKIE = "mutuals_primary"
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _RequestReads:
    """Where the reads of the current request may go."""

    replica: bool
    wrote: bool = False
    # Whether the latest query routed was a read of the replica: an error then is the replica's.
    reading_replica: bool = False


_reads: ContextVar[_RequestReads | None] = ContextVar("mutuals_request_reads", default=None)

# The monotonic time until which this process sends no read to the replica,
# set when a request found it unreachable. Each process finds out for itself:
# sharing it through the cache would make Redis a dependency of every read.
_replica_resting_until = 0.0


def replica_configured() -> bool:
    """Return whether a read replica is configured."""
    return REPLICA_ALIAS in settings.DATABASES


def replica_in_service() -> bool:
    """Return whether a replica is configured and not resting after it was found unreachable."""
    return replica_configured() and time.monotonic() >= _replica_resting_until


def rest_replica() -> None:
    """Send this process's reads to the primary for `DATABASE_REPLICA_RETRY_SECONDS`."""
    global _replica_resting_until  # noqa: PLW0603 (one flag per process, read by every request)
    _replica_resting_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS


def _pin_key(member_id: int) -> str:
    return f"replica-pin:{member_id}"


def _recent_writer(member_id: int) -> bool:
    """Return whether the member wrote within the pin window; with the cache unreachable, assume so."""
    try:
        return bool(cache.get(_pin_key(member_id)))
    except (redis.RedisError, OSError) as exc:
        logger.warning("read-your-writes marker unreadable, reading the primary: %s", exc)
        return True


def pin_if_recent_writer(member_id: int) -> None:
    """Read the primary for the rest of this request if the member wrote within the pin window."""
    state = _reads.get()
    if state is not None and state.replica and _recent_writer(member_id):
        state.replica = False


def remember_writer(member_id: int) -> None:
    """Send the member's reads to the primary for the pin window (the replica may not have the write yet)."""
    try:
        cache.set(_pin_key(member_id), 1, timeout=settings.DATABASE_REPLICA_PIN_SECONDS)
    except (redis.RedisError, OSError) as exc:
        # The write has committed; the member may see the replica's older rows for a moment.
        logger.warning("read-your-writes marker not written: %s", exc)


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Read the primary inside the block, whatever the request would otherwise read."""
    token = _reads.set(None)
    try:
        yield
    finally:
        _reads.reset(token)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Read the replica inside the block as a request that has not written would (pins still apply)."""
    token = _reads.set(_RequestReads(replica=replica_in_service()))
    try:
        yield
    finally:
        _reads.reset(token)


class ReplicaRouter:
    """Route reads to the replica where the request allows it; everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        """Return `replica` for a request's reads outside a transaction, before it wrote; else the primary."""
        state = _reads.get()
        if state is None:
            return DEFAULT_DB_ALIAS
        state.reading_replica = state.replica and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        return REPLICA_ALIAS if state.reading_replica else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        """Return the primary, and read it for the rest of the request."""
        state = _reads.get()
        if state is not None:
            state.wrote = True
            state.replica = False
            state.reading_replica = False
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        """Allow every relation: the replica holds the primary's rows."""
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        """Migrate the primary only; the replica follows it."""
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Let a reading request read the replica, and pin a member who wrote to the primary for a while.

    It sits after the authentication middleware: the session and its user are
    read from the primary before the request's reads are routed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        reads = request.method in READ_ONLY_METHODS and PIN_COOKIE not in request.COOKIES and replica_in_service()
        state = _RequestReads(replica=reads)
        if reads:
            try:
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    state.replica = not _recent_writer(user.pk)
            except DatabaseError:
                # The primary is unreachable: the view meets the same error and answers it as an outage.
                state.replica = False
        token = _reads.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if state.wrote or request.method not in READ_ONLY_METHODS:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                remember_writer(user.pk)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer a reading request again from the primary when the replica it was reading could not be reached.

        A view that only reads can run twice. An error met on the primary
        (the latest query was not a read of the replica) is left to
        `config.outages`, which answers 503.
        """
        state = _reads.get()
        match = request.resolver_match
        if (
            not isinstance(exception, OperationalError | InterfaceError)
            or state is None
            or not state.reading_replica
            or match is None
            or iscoroutinefunction(match.func)
        ):
            return None
        rest_replica()
        logger.warning(
            "read replica unreachable, reading the primary for %s s: %s",
            settings.DATABASE_REPLICA_RETRY_SECONDS,
            exception,
        )
        state.replica = state.reading_replica = False
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.render()
        return response
