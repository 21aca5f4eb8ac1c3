"""The kept Redis publisher: the layer's own channel names and hosts, reached from threads without an event loop."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.test import Client

from federation.models import Actor
from tests.clients import bearer
from tests.live import free_port
from tests.timeline.streaming.conftest import run, token_for
from tests.timeline.streaming.test_relay import eventually, pubsub_layer_or_skip
from timeline.models import Status
from timeline.streaming import relay
from timeline.streaming.publisher import SEND_TIMEOUT_SECONDS, Publisher, _client, publisher

TWO_HOSTS = ["redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"]
SENTINEL = {"master_name": "m", "sentinels": [("127.0.0.1", 26379)]}
GROUPS = [f"timeline.user.{n}" for n in range(100)] + [f"timeline.hashtag.tag{n}" for n in range(100)]


def layer_choices(layer: Any, groups: list[str]) -> dict[str, tuple[str, int]]:
    """Return, for each group, the channel the layer itself names and the index of the host it picks."""
    choices: dict[str, tuple[str, int]] = {}

    async def scenario() -> None:
        # The layer builds its per-loop half, which holds these helpers, only inside a running event loop.
        loop_layer = layer._get_layer()
        for group in groups:
            channel = loop_layer._get_group_channel_name(group)
            choices[group] = (channel, loop_layer._shards.index(loop_layer._get_shard(channel)))

    run(scenario)
    return choices


def layer_hosts(layer: Any) -> list[dict[str, Any]]:
    """Return the host settings of the layer's connections, in the order it indexes them."""
    hosts: list[dict[str, Any]] = []

    async def scenario() -> None:
        hosts.extend(shard.host for shard in layer._get_layer()._shards)

    run(scenario)
    return hosts


def kept(layer: Any) -> Publisher:
    """Return the layer's publisher, which must exist."""
    found = publisher(layer)
    assert found is not None
    return found


def test_channels_and_hosts_are_those_the_layer_picks() -> None:
    layer = RedisPubSubChannelLayer(hosts=TWO_HOSTS, prefix="mutuals-test-hosts")
    expected = layer_choices(layer, GROUPS)
    chosen = {
        group: (channel, index) for index, pairs in kept(layer)._by_client(GROUPS).items() for group, channel in pairs
    }
    assert chosen == expected
    assert {kept(layer).channel(group) for group in GROUPS} == {channel for channel, _ in expected.values()}
    # Both hosts are picked for some groups, so agreeing on the index says something.
    assert {index for _, index in expected.values()} == {0, 1}


def test_the_client_at_each_index_is_the_host_the_layer_has_there() -> None:
    layer = RedisPubSubChannelLayer(hosts=TWO_HOSTS, prefix="mutuals-test-hosts")
    assert layer_hosts(layer) == [{"address": address} for address in TWO_HOSTS]
    assert [client.connection_pool.connection_kwargs["db"] for client in kept(layer).clients] == [0, 1]


def test_hosts_given_as_pairs_and_settings_become_clients_in_order() -> None:
    layer = RedisPubSubChannelLayer(
        hosts=[("127.0.0.1", 6379), {"address": "redis://127.0.0.1:6379/2"}, {"host": "127.0.0.1", "db": 3}]
    )
    pools = [client.connection_pool.connection_kwargs for client in kept(layer).clients]
    assert [(pool["host"], pool["port"], pool["db"]) for pool in pools] == [
        ("127.0.0.1", 6379, 0),
        ("127.0.0.1", 6379, 2),
        ("127.0.0.1", 6379, 3),
    ]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {"hosts": TWO_HOSTS, "prefix": "named"}),
        ((TWO_HOSTS, "positional"), {}),
        ((TWO_HOSTS,), {}),
        ((), {}),
    ],
)
def test_the_prefix_is_the_layers_however_it_was_given(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    layer = RedisPubSubChannelLayer(*args, **kwargs)
    expected = layer_choices(layer, ["timeline.public"])
    assert kept(layer).channel("timeline.public") == expected["timeline.public"][0]


def test_a_layer_keeps_one_publisher() -> None:
    layer = RedisPubSubChannelLayer(hosts=TWO_HOSTS, prefix="mutuals-test-kept")
    first = publisher(layer)
    assert first is not None
    assert publisher(layer) is first
    assert publisher(RedisPubSubChannelLayer(hosts=TWO_HOSTS, prefix="mutuals-test-kept")) is not first


@pytest.mark.parametrize("hosts", [[SENTINEL], [TWO_HOSTS[0], SENTINEL]])
def test_sentinel_hosts_have_no_publisher(hosts: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def no_connection(sock: socket.socket, address: Any) -> None:
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    layer = RedisPubSubChannelLayer(hosts=hosts)
    assert publisher(layer) is None
    assert publisher(layer) is None


def test_no_groups_ask_and_send_nothing() -> None:
    # Nothing listens on port 1: a call to Redis would fail.
    nowhere = Publisher("mutuals-test", [redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)])
    assert nowhere.listened([]) == []
    nowhere.publish([], {"type": "stream.event"}, repr)
    with pytest.raises(redis.ConnectionError):
        nowhere.listened(["timeline.public"])


def test_a_thread_without_an_event_loop_sees_and_reaches_another_layers_subscriptions() -> None:
    # The web process subscribes; the sender, like a Celery worker, has its own layer and no event loop.
    web = pubsub_layer_or_skip()
    worker = pubsub_layer_or_skip(prefix=web._kwargs["prefix"])
    asked = ["timeline.user.1", "timeline.user.2", "timeline.hashtag.cows", "timeline.public"]
    message = {"type": "stream.event", "event": "update", "payload": "{}", "exclude": []}

    def without_a_loop() -> Publisher:
        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()
        return kept(worker)

    def listened() -> list[str]:
        return without_a_loop().listened(asked)

    def publish(groups: list[str]) -> None:
        without_a_loop().publish(groups, message, worker.serialize)

    async def listened_is(expected: list[str]) -> bool:
        return await asyncio.to_thread(listened) == expected

    async def scenario() -> None:
        public = await web.new_channel()
        user = await web.new_channel()
        await web.group_add("timeline.public", public)
        await web.group_add("timeline.user.2", user)
        # In the order asked, not the order subscribed.
        await eventually(lambda: listened_is(["timeline.user.2", "timeline.public"]))
        await asyncio.to_thread(publish, ["timeline.public", "timeline.user.1", "timeline.user.2"])
        assert await asyncio.wait_for(web.receive(public), 5) == {**message, "group": "timeline.public"}
        assert await asyncio.wait_for(web.receive(user), 5) == {**message, "group": "timeline.user.2"}
        await web.group_discard("timeline.user.2", user)
        await eventually(lambda: listened_is(["timeline.public"]))
        await asyncio.to_thread(publish, ["timeline.user.2"])
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(web.receive(public), 0.3)
        await web.flush()
        await worker.flush()

    run(scenario)


def test_kept_connections_give_up_quickly_on_a_silent_redis() -> None:
    client = _client({"address": "redis://127.0.0.1:6379/0"})
    assert client is not None
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["socket_connect_timeout"], kwargs["socket_timeout"]) == (SEND_TIMEOUT_SECONDS, SEND_TIMEOUT_SECONDS)


@pytest.mark.django_db(transaction=True)
def test_a_post_is_answered_while_the_streaming_redis_is_down(
    settings: Any, alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The events are sent after commit: a Redis out of reach costs a log line, never the request."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"], "prefix": "down"},
        }
    }
    failures: list[Exception] = []
    asked = relay.groups_with_listeners

    def asked_and_failed(groups: list[str]) -> list[str]:
        try:
            return asked(groups)
        except redis.ConnectionError as exc:
            failures.append(exc)
            raise

    monkeypatch.setattr(relay, "groups_with_listeners", asked_and_failed)
    headers = bearer(token_for(alice, "read write"))
    response = Client().post("/api/v1/statuses", {"status": "Still posted"}, headers=headers)
    assert response.status_code == 200
    assert Status.objects.get().pk == int(response.json()["id"])
    assert failures, "the new status's event never reached for Redis"
