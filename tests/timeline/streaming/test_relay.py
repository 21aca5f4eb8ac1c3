"""Events through Redis pub/sub: sent only to groups some process subscribes to, from any process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from tests.timeline.streaming.conftest import run
from timeline.streaming import relay

REDIS = "redis://127.0.0.1:6379/0"


def pubsub_layer_or_skip(prefix: str = "") -> Any:
    """Return a Redis pub/sub channel layer of its own (as a separate process has), or skip without Redis."""
    import redis
    from channels_redis.pubsub import RedisPubSubChannelLayer

    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("needs Redis at 127.0.0.1:6379")
    return RedisPubSubChannelLayer(hosts=[REDIS], prefix=prefix or f"mutuals-test-{uuid.uuid4().hex}")


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5) -> None:
    """Wait until the check holds: Redis applies a subscription shortly after the layer sends it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the check never held"
        await asyncio.sleep(0.01)


async def listened_is(layer: Any, groups: list[str], expected: list[str]) -> bool:
    """Return whether the layer names exactly the expected groups as listened."""
    return await relay.listened_groups(layer, groups) == expected


def test_only_groups_some_process_subscribes_to_are_listened() -> None:
    layer = pubsub_layer_or_skip()
    groups = [f"timeline.user.{n}" for n in range(200)]

    async def scenario() -> None:
        listener = await layer.new_channel()
        await layer.group_add("timeline.user.1", listener)
        await eventually(lambda: listened_is(layer, groups, ["timeline.user.1"]))
        await layer.group_discard("timeline.user.1", listener)
        await eventually(lambda: listened_is(layer, groups, []))
        await layer.flush()

    run(scenario)


def test_a_process_without_an_event_loop_reaches_another_processs_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The web process subscribes; the sender, like a Celery worker, has no event loop of its own.
    web = pubsub_layer_or_skip()
    worker = pubsub_layer_or_skip(prefix=web._kwargs["prefix"])
    monkeypatch.setattr(relay, "get_channel_layer", lambda: worker)
    built: list[str] = []

    def message() -> dict[str, Any]:
        built.append("built")
        return {"type": "stream.event", "event": "update", "payload": "{}"}

    async def scenario() -> None:
        channel = await web.new_channel()
        await web.group_add("timeline.public", channel)
        await eventually(lambda: listened_is(web, ["timeline.public"], ["timeline.public"]))
        await asyncio.to_thread(relay.send_event, ["timeline.public", "timeline.public.remote"], message)
        received = await asyncio.wait_for(web.receive(channel), 5)
        assert received == {"type": "stream.event", "event": "update", "payload": "{}", "group": "timeline.public"}
        await asyncio.to_thread(relay.send_event, ["timeline.public.remote"], message)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(web.receive(channel), 0.3)
        await web.flush()

    run(scenario)
    assert built == ["built"]


def test_the_in_memory_layer_keeps_every_group() -> None:
    async def scenario() -> None:
        groups = ["timeline.user.1", "timeline.user.2"]
        assert await relay.listened_groups(InMemoryChannelLayer(), groups) == groups

    run(scenario)
