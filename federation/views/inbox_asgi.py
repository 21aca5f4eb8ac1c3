"""The inboxes on an ASGI path of their own, in front of Django's request handling.

An inbox POST comes from a peer server, never from a browser: sessions,
locale, CSRF, authentication, messages and the other middleware do nothing
for it, yet run on every activity, and Django runs synchronous views one at a
time per process. This path reads the body, then verifies the activity on a
worker thread of its own (the same `check_inbox_request` the Django views
call), so several activities are verified at once. Verified activities are
stored together: a batch is written 5 ms after its first activity, and
those verified while it is written wait for the next
(`do_store_inbox_items`: one transaction, one INSERT, one queued task), and
each request is answered 202 once its row has committed.

Anything unusual (another method, a host not allowed, an unknown account's
inbox) goes on to Django unchanged, which answers as it always has.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host
from django.utils.encoding import escape_uri_path, iri_to_uri

from federation.access import ActorNotFound, access_local_actor_by_username
from federation.actions.inbox import (
    MAX_BODY_BYTES,
    InboxRequest,
    VerifiedActivity,
    check_inbox_request,
    do_store_inbox_items,
)
from federation.errors import ActivityRefused

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# Django's handler types its scope and messages a little differently; any ASGI application will do.
WrappedApp = Callable[..., Awaitable[None]]

_INBOX_PATH = re.compile(r"^/(?:inbox|actor/inbox|users/(?P<username>[^/]+)/inbox)$")
_TOO_LARGE = f"The activity is larger than {MAX_BODY_BYTES} bytes."
# Activities written in one transaction at most.
STORE_BATCH = 200
# How long the first activity of a batch waits for others before the batch is written. Under load
# this gathers a few times more activities per transaction and queued task, whose fixed costs
# (a commit, a query for duplicates, a message to the broker) took a fifth of the web processes' CPU.
STORE_LINGER_SECONDS = 0.005


class _UnknownAccount(Exception):
    """The personal inbox belongs to no local account: Django answers it."""


def _verify_activity(request: InboxRequest, username: str | None) -> tuple[int, str | None, VerifiedActivity | None]:
    """Verify an activity as the inbox views do; return the status, the error if any, and what to store."""
    close_old_connections()
    try:
        recipient = None
        if username is not None:
            try:
                recipient = access_local_actor_by_username(username)
            except ActorNotFound as exc:
                raise _UnknownAccount from exc
        try:
            verified = check_inbox_request(request)
        except ActivityRefused as exc:
            return exc.status, str(exc), None
        if verified is not None and recipient is not None:
            verified = replace(verified, recipient=recipient)
        return 202, None, verified
    finally:
        close_old_connections()


def _store(activities: list[VerifiedActivity]) -> None:
    close_old_connections()
    try:
        do_store_inbox_items(activities)
    finally:
        close_old_connections()


class _Storer:
    """Store the activities of concurrent requests together, one batch at a time per event loop.

    A batch is written STORE_LINGER_SECONDS after its first activity
    arrives (at once when it is full), and requests verified while it is
    being written are written together next (a group commit), so under
    load a transaction, an INSERT and a queued task serve many activities.
    """

    def __init__(self) -> None:
        self._waiting: list[tuple[VerifiedActivity, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, verified: VerifiedActivity) -> None:
        """Return once the activity is stored (or found stored already); raise what storing raised."""
        stored = asyncio.get_running_loop().create_future()
        self._waiting.append((verified, stored))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        await stored

    async def _write(self) -> None:
        try:
            while self._waiting:
                if len(self._waiting) < STORE_BATCH:
                    await asyncio.sleep(STORE_LINGER_SECONDS)
                batch, self._waiting = self._waiting[:STORE_BATCH], self._waiting[STORE_BATCH:]
                try:
                    await sync_to_async(_store, thread_sensitive=False)([verified for verified, _ in batch])
                except Exception as exc:  # noqa: BLE001 - handed to every request of the batch, which fails with it
                    for _, stored in batch:
                        if not stored.done():
                            stored.set_exception(exc)
                else:
                    for _, stored in batch:
                        if not stored.done():
                            stored.set_result(None)
        finally:
            self._writer = None


# One storer per event loop (a Daphne process has one; tests start several).
_storers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Storer] = weakref.WeakKeyDictionary()


async def _store_verified(verified: VerifiedActivity) -> None:
    loop = asyncio.get_running_loop()
    storer = _storers.get(loop)
    if storer is None:
        storer = _storers[loop] = _Storer()
    await storer.store(verified)


def _host_allowed(headers: dict[str, str]) -> bool:
    domain, _ = split_domain_port(headers.get("host", ""))
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


async def _answer(send: Send, status: int, error: str | None) -> None:
    body = b"" if error is None else json.dumps({"error": error}).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if error is not None:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def inbox_fast_path(django_app: WrappedApp) -> ASGIApp:
    """Wrap Django's ASGI application so that inbox POSTs take the short path."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        match = _INBOX_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "POST":
            await django_app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", []):
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        if not _host_allowed(headers):
            await django_app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _answer(send, 413, _TOO_LARGE)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await _answer(send, 413, _TOO_LARGE)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        query = scope.get("query_string", b"").decode("latin-1")
        path = escape_uri_path(scope["path"]) + (f"?{iri_to_uri(query)}" if query else "")
        request = InboxRequest(method="POST", path=path, headers=headers, body=body)
        try:
            status, error, verified = await sync_to_async(_verify_activity, thread_sensitive=False)(
                request, match.group("username")
            )
        except _UnknownAccount:
            await django_app(scope, _replay(body, receive), send)
            return
        if verified is not None:
            await _store_verified(verified)
        await _answer(send, status, error)

    return application


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a receive callable that hands Django the body already read, then the connection's own messages.

    Django listens for the client's disconnect while the view runs and drops
    the response when it hears one, so after the body it must wait on the
    real connection rather than be told at once that the client left.
    """
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
