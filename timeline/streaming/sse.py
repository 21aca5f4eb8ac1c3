"""The streaming API over server-sent events: /api/v1/streaming/user, /public, /hashtag?tag= and the rest.

Each request holds one stream open. Events are written as `event:` and
`data:` lines; a `:thump` comment every few seconds keeps proxies and
clients from giving up on a quiet stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse

from timeline.streaming.filtering import StreamFilters, filtered_payload
from timeline.streaming.relay import ensure_relay_running
from timeline.streaming.streams import (
    StreamRefused,
    StreamViewer,
    Subscription,
    authenticate_stream_token,
    deliverable,
    resolve_subscription,
    session_viewer,
)

HEARTBEAT_SECONDS = 15.0


def _token(request: HttpRequest) -> str:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer" and token.strip():
        return token.strip()
    return request.GET.get("access_token", "")


def _resolve(request: HttpRequest, name: str) -> tuple[StreamViewer, Subscription]:
    token = _token(request)
    # The web app streams with its session cookie; clients with a token.
    viewer = authenticate_stream_token(token) if token else session_viewer(request)
    subscription = resolve_subscription(
        viewer, name, tag=request.GET.get("tag", ""), list_id=request.GET.get("list", "")
    )
    return viewer, subscription


async def _event_source(viewer: StreamViewer, subscription: Subscription) -> AsyncIterator[str]:
    filters = StreamFilters(actor=viewer.actor)
    layer = get_channel_layer()
    await ensure_relay_running()
    channel = await layer.new_channel()
    await layer.group_add(subscription.group, channel)
    # One receive stays pending across heartbeats: the Redis pub/sub layer
    # takes a cancelled receive for a departing consumer and drops the channel.
    pending: asyncio.Future[dict[str, object]] | None = None
    try:
        # A first comment sends the headers at once, so the client knows it is subscribed.
        yield ":)\n\n"
        while True:
            if pending is None:
                pending = asyncio.ensure_future(layer.receive(channel))
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_SECONDS)
            if not done:
                yield ":thump\n\n"
                continue
            message, pending = pending.result(), None
            if message.get("group") != subscription.group or not deliverable(viewer, message):
                continue
            if message["event"] == "filters_changed":
                filters.invalidate()
            payload: str | None = str(message.get("payload") or "")
            if filters.may_filter(str(message["event"]), subscription.stream):
                payload = await sync_to_async(filtered_payload)(
                    filters, str(message["event"]), payload or "", subscription.stream
                )
            if payload is None:
                continue
            yield f"event: {message['event']}\ndata: {payload}\n\n"
    finally:
        if pending is not None:
            pending.cancel()
        await layer.group_discard(subscription.group, channel)


async def stream(request: HttpRequest, name: str = "") -> HttpResponseBase:
    """Open an event stream; the name comes from the path (`public/local`) or `?stream=`."""
    if request.method != "GET":
        return JsonResponse({"error": "Method not allowed"}, status=405)
    name = name.strip("/").replace("/", ":") or request.GET.get("stream", "")
    try:
        viewer, subscription = await sync_to_async(_resolve)(request, name)
    except StreamRefused as refused:
        return JsonResponse({"error": refused.message}, status=refused.status)
    response = StreamingHttpResponse(_event_source(viewer, subscription), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    # Tell nginx not to buffer the stream.
    response["X-Accel-Buffering"] = "no"
    return response


async def health(request: HttpRequest) -> HttpResponse:
    """Answer OK, as Mastodon's streaming server does for load balancers."""
    if request.method not in {"GET", "HEAD"}:
        return JsonResponse({"error": "Method not allowed"}, status=405)
    return HttpResponse("OK", content_type="text/plain")
