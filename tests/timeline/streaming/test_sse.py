"""The streaming API over server-sent events, the health check, and the embedded-mode relay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, cast

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings
from django.db import transaction
from django.test import AsyncClient, Client
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.models import Actor
from tests.clients import bearer
from tests.factories.timeline import FollowFactory
from tests.timeline.streaming.conftest import apost, post, run, token_for
from timeline.models import Status, StreamEvent
from timeline.streaming import relay, sse
from timeline.streaming.relay import ensure_relay_running, send_event
from timeline.streaming.streams import public_group

pytestmark = pytest.mark.django_db(transaction=True)


async def next_chunk(stream: AsyncIterator[Any], timeout: float = 5) -> str:
    """Return the next chunk of an event stream as text."""
    chunk = await asyncio.wait_for(anext(stream), timeout)
    return bytes(chunk).decode()


def events_of(response: Any) -> AsyncGenerator[Any, None]:
    """Return the body of a streaming response as it is produced."""
    return cast(AsyncGenerator[Any, None], aiter(response.streaming_content))


def test_health_answers_ok() -> None:
    response = Client().get("/api/v1/streaming/health")
    assert response.status_code == 200
    assert response.content == b"OK"


def test_user_stream_sends_updates_as_events(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    token = token_for(bob)

    async def scenario() -> None:
        response = await AsyncClient().get("/api/v1/streaming/user", headers=bearer(token))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        stream = events_of(response)
        assert await next_chunk(stream) == ":)\n\n"
        status = await apost(alice, "over server-sent events")
        chunk = await next_chunk(stream)
        event, data = chunk.strip().split("\n")
        assert event == "event: update"
        assert data.startswith("data: {")
        assert f'"id":"{status.pk}"' in data
        await stream.aclose()

    run(scenario)


def test_quiet_streams_send_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 0.05)

    async def scenario() -> None:
        response = await AsyncClient().get("/api/v1/streaming/hashtag", {"tag": "quiet"})
        stream = events_of(response)
        assert await next_chunk(stream) == ":)\n\n"
        assert await next_chunk(stream) == ":thump\n\n"
        await stream.aclose()

    run(scenario)


def test_public_local_stream_by_path_and_query(alice: Actor) -> None:
    async def scenario() -> None:
        by_path = await AsyncClient().get("/api/v1/streaming/public/local")
        by_query = await AsyncClient().get("/api/v1/streaming", {"stream": "public:local"})
        streams = [events_of(by_path), events_of(by_query)]
        for stream in streams:
            await next_chunk(stream)
        await apost(alice, "local news")
        for stream in streams:
            assert (await next_chunk(stream)).startswith("event: update\n")
            await stream.aclose()

    run(scenario)


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/streaming/user", {}, 401),
        ("/api/v1/streaming/user", {"Authorization": "Bearer wrong"}, 401),
        ("/api/v1/streaming/public?access_token=wrong", {}, 401),
        ("/api/v1/streaming/nonsense", {}, 400),
        ("/api/v1/streaming/hashtag", {}, 400),
    ],
)
def test_refused_streams_answer_errors(path: str, headers: dict[str, str], status: int) -> None:
    response = Client().get(path, headers=headers)
    assert response.status_code == status
    assert "error" in response.json()


def test_notification_stream_needs_a_notifications_scope(bob: Actor) -> None:
    token = token_for(bob, scope="read:statuses")
    response = Client().get("/api/v1/streaming/user/notification", headers=bearer(token))
    assert response.status_code == 401


def test_nothing_is_streamed_when_the_transaction_rolls_back(alice: Actor) -> None:
    def post_and_roll_back() -> None:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            post(alice, "never happened")
            raise RuntimeError

    async def scenario() -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(public_group("public"), channel)
        await database_sync_to_async(post_and_roll_back)()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), 0.3)

    run(scenario)
    assert not Status.objects.exists()


async def stop_relays() -> None:
    """Cancel every relay this process started, so none outlives its test."""
    for running in relay._relays.values():
        if running.task is not None:
            running.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running.task
    relay._relays.clear()


# Only embedded mode relays through the table; with Redis, events go straight to the layer.
embedded_only = pytest.mark.skipif(
    django_settings.TEST_BACKEND == "services", reason="the table relay runs only in embedded mode"
)


@embedded_only
def test_embedded_relay_carries_rows_to_the_channel_layer(settings: SettingsWrapper) -> None:
    settings.STREAMING_RELAY = "database"

    async def scenario() -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("timeline.public", channel)
        try:
            await ensure_relay_running()
            await database_sync_to_async(send_event)(["timeline.public", "timeline.other"], {"type": "stream.event"})
            message = await asyncio.wait_for(layer.receive(channel), 5)
        finally:
            await stop_relays()
        assert message == {"type": "stream.event", "group": "timeline.public"}

    run(scenario)
    assert StreamEvent.objects.count() == 1


@embedded_only
def test_a_relay_that_cannot_start_fails_its_waiters_instead_of_hanging(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.STREAMING_RELAY = "database"

    def refuse() -> int:
        raise RuntimeError("cannot schedule new futures after shutdown")

    monkeypatch.setattr(relay, "_latest_id", refuse)
    monkeypatch.setattr(relay.DatabaseRelay, "_executor_closed", lambda self: True)

    async def scenario() -> None:
        try:
            with pytest.raises(RuntimeError, match="stopped before it started"):
                await asyncio.wait_for(ensure_relay_running(), 5)
        finally:
            await stop_relays()

    run(scenario)
