"""Publish to the Redis pub/sub channel layer's groups from synchronous code.

Fan-out, the inbox worker and request threads send streaming events from
synchronous code. Going through the channel layer from there means
`async_to_sync`: a new thread, event loop and Redis connection for every
call, which cost the inbox worker more than the statuses it stored. The
publisher keeps one blocking Redis client per host of the layer for the
process's life and names channels and picks hosts exactly as the layer
does, so a web process's subscriptions receive what it publishes.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from typing import Any

import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import _consistent_hash, decode_hosts

# A send happens after the post committed; a Redis that stopped answering must
# fail it quickly (the error is logged) rather than hold the request.
SEND_TIMEOUT_SECONDS = 2.0


def _client(host: dict[str, Any]) -> redis.Redis | None:
    host = {"socket_connect_timeout": SEND_TIMEOUT_SECONDS, "socket_timeout": SEND_TIMEOUT_SECONDS, **host}
    if "address" in host:
        return redis.Redis.from_url(host.pop("address"), **host)
    if "master_name" in host:
        # Sentinel hosts are left to the layer's own connections.
        return None
    return redis.Redis(**host)


class Publisher:
    """The channel layer's Redis hosts, reached over connections kept open (redis-py pools are thread-safe)."""

    def __init__(self, prefix: str, clients: list[redis.Redis]) -> None:
        self.prefix = prefix
        self.clients = clients

    def channel(self, group: str) -> str:
        """Return the pub/sub channel of a group, as channels_redis 4 names it."""
        return f"{self.prefix}__group__{group}"

    def _by_client(self, groups: list[str]) -> dict[int, list[tuple[str, str]]]:
        by_client: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for group in groups:
            channel = self.channel(group)
            by_client[_consistent_hash(channel, len(self.clients))].append((group, channel))
        return by_client

    def listened(self, groups: list[str]) -> list[str]:
        """Return, in order, the groups some process subscribes to: one `PUBSUB NUMSUB` per host."""
        listened: set[str] = set()
        for index, pairs in self._by_client(groups).items():
            counts = self.clients[index].pubsub_numsub(*(channel for _, channel in pairs))
            listened.update(group for (group, _), (_, count) in zip(pairs, counts, strict=True) if count)
        return [group for group in groups if group in listened]

    def publish(self, groups: list[str], message: dict[str, Any], serialize: Any) -> None:
        """Publish the message to each group, naming the group; one pipeline per host."""
        for index, pairs in self._by_client(groups).items():
            pipe = self.clients[index].pipeline(transaction=False)
            for group, channel in pairs:
                pipe.publish(channel, serialize({**message, "group": group}))
            pipe.execute()


_publishers: weakref.WeakKeyDictionary[RedisPubSubChannelLayer, Publisher | None] = weakref.WeakKeyDictionary()


def publisher(layer: RedisPubSubChannelLayer) -> Publisher | None:
    """Return this process's publisher for the layer, or None when its hosts are Redis Sentinels."""
    if layer not in _publishers:
        # RedisPubSubLoopLayer(hosts=None, prefix="asgi", ...): the layer keeps its arguments to build one per loop.
        config = dict(zip(("hosts", "prefix"), layer._args, strict=False)) | layer._kwargs
        clients = [_client(host) for host in decode_hosts(config.get("hosts"))]
        ready = [client for client in clients if client is not None]
        _publishers[layer] = Publisher(str(config.get("prefix", "asgi")), ready) if len(ready) == len(clients) else None
    return _publishers[layer]
