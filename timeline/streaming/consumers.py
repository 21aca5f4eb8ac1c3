"""The streaming WebSocket at /api/v1/streaming: subscribe to streams, receive their events.

The token comes from the `Authorization` header, the `Sec-WebSocket-Protocol`
header (echoed back, as browsers cannot set headers) or `?access_token=`.
`?stream=` subscribes on connect; `{"type": "subscribe", "stream": ...}`
and `unsubscribe` messages change subscriptions later. Every event is sent
as `{"stream": [...], "event": ..., "payload": "<JSON string>"}`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from config.json_input import JsonInputError, parse_json
from timeline.streaming.filtering import StreamFilters, filtered_payload
from timeline.streaming.relay import ensure_relay_running
from timeline.streaming.streams import (
    ANONYMOUS,
    StreamRefused,
    StreamViewer,
    Subscription,
    authenticate_stream_token,
    deliverable,
    resolve_subscription,
)

# A client's message is a subscribe or unsubscribe of a few dozen bytes.
MAX_MESSAGE_BYTES = 65536


def token_from_scope(scope: dict[str, Any]) -> tuple[str, bool]:
    """Return the connection's access token and whether it came as the WebSocket subprotocol."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip(), False
    protocols = [protocol for protocol in scope.get("subprotocols", []) if protocol]
    if protocols:
        return protocols[0], True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get("access_token") or [""])[0], False


class StreamingConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    """One client's streaming connection."""

    viewer: StreamViewer
    subscriptions: dict[str, Subscription]
    filters: StreamFilters

    async def connect(self) -> None:
        """Authenticate, subscribe to `?stream=` if given, and accept; refuse a bad token or stream."""
        self.subscriptions = {}
        token, as_subprotocol = token_from_scope(self.scope)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            self.viewer = await database_sync_to_async(authenticate_stream_token)(token) if token else ANONYMOUS
            self.filters = StreamFilters(actor=self.viewer.actor)
            stream = (query.get("stream") or [""])[0]
            first = None
            if stream:
                first = await database_sync_to_async(resolve_subscription)(
                    self.viewer,
                    stream,
                    tag=(query.get("tag") or [""])[0],
                    list_id=(query.get("list") or [""])[0],
                )
        except StreamRefused:
            # Closing before accepting answers the upgrade with an HTTP error.
            await self.close()
            return
        await ensure_relay_running()
        if first is not None:
            await self._join(first)
        await self.accept(subprotocol=token if as_subprotocol else None)

    async def disconnect(self, code: int) -> None:
        """Leave every group."""
        for subscription in list(getattr(self, "subscriptions", {}).values()):
            await self.channel_layer.group_discard(subscription.group, self.channel_name)
        self.subscriptions = {}

    async def _join(self, subscription: Subscription) -> None:
        if subscription.group not in self.subscriptions:
            await self.channel_layer.group_add(subscription.group, self.channel_name)
            self.subscriptions[subscription.group] = subscription

    async def _error(self, message: str, status: int) -> None:
        await self.send(text_data=json.dumps({"error": message, "status": status}))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Handle `subscribe` and `unsubscribe` messages; answer anything else with an error."""
        try:
            request = parse_json(text_data or "", max_bytes=MAX_MESSAGE_BYTES)
        except JsonInputError as exc:
            await self._error(f"Invalid JSON: {exc}", 400)
            return
        if not isinstance(request, dict) or request.get("type") not in ("subscribe", "unsubscribe"):
            await self._error("Unknown message type", 400)
            return
        try:
            subscription = await database_sync_to_async(resolve_subscription)(
                self.viewer,
                str(request.get("stream") or ""),
                tag=str(request.get("tag") or ""),
                list_id=str(request.get("list") or ""),
            )
        except StreamRefused as refused:
            await self._error(refused.message, refused.status)
            return
        if request["type"] == "subscribe":
            await self._join(subscription)
        elif self.subscriptions.pop(subscription.group, None) is not None:
            await self.channel_layer.group_discard(subscription.group, self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Handle a message; stream events go straight to their handler.

        Channels closes stale database connections before every handler, in
        the process's single thread for synchronous code: with a thousand
        connections on the public stream, each event would queue a thousand
        hops to that one thread. `stream_event` reaches the database only
        through `database_sync_to_async`, which closes stale connections
        itself.
        """
        if message.get("type") == "stream.event":
            await self.stream_event(message)
            return
        await super().dispatch(message)

    async def stream_event(self, message: dict[str, Any]) -> None:
        """Forward an event from a joined group, unless this viewer must not receive it."""
        subscription = self.subscriptions.get(str(message.get("group")))
        if subscription is None or not deliverable(self.viewer, message):
            return
        if message["event"] == "filters_changed":
            self.filters.invalidate()
        payload: str | None = str(message.get("payload") or "")
        if self.filters.may_filter(str(message["event"]), subscription.stream):
            payload = await database_sync_to_async(filtered_payload)(
                self.filters, str(message["event"]), payload or "", subscription.stream
            )
        if payload is None:
            return
        out: dict[str, Any] = {"stream": list(subscription.stream), "event": message["event"]}
        if payload:
            out["payload"] = payload
        await self.send(text_data=json.dumps(out))
