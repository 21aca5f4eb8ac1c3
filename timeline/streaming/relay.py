"""Carry streaming events from any process to the web process's channel layer.

With Redis (services mode) senders publish to the channel layer directly:
one pub/sub message per group, which each web process subscribed to the
group hands to its own connections.
Embedded mode's in-memory layer exists only inside the web process, while
fan-out and the inbox run in the worker; there, senders write a StreamEvent
row and the web process polls the table and forwards each row to its groups.
A table needs no extra service, works from any process that can reach the
database, and survives nothing more than it should: rows older than a few
minutes are dropped, since a streaming client that was not connected when
an event happened never receives it anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from timeline.models import StreamEvent
from timeline.streaming.publisher import publisher

logger = logging.getLogger(__name__)

# An event's message, or a function that builds it when some group can receive it.
Message = dict[str, Any] | Callable[[], dict[str, Any]]

POLL_SECONDS = 0.1
BATCH = 500
KEEP = timedelta(minutes=5)
CLEAN_EVERY_SECONDS = 60.0


def relay_through_database() -> bool:
    """Return whether events go through the StreamEvent table (embedded mode)."""
    return str(getattr(settings, "STREAMING_RELAY", "direct")) == "database"


def _group_channels_by_connection(layer: Any, groups: list[str]) -> dict[Any, list[tuple[str, str]]]:
    """Return, for each Redis connection of this event loop's layer, its groups and their pub/sub channels.

    channels_redis 4.3 publishes a group on the channel
    `<prefix>__group__<group>`, on the connection its consistent hash picks;
    these are the layer's own helpers, so both sides agree on the names.
    """
    loop_layer = layer._get_layer()
    by_connection: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for group in groups:
        channel = loop_layer._get_group_channel_name(group)
        by_connection[loop_layer._get_shard(channel)].append((group, channel))
    return by_connection


def _redis_of(shard: Any) -> Any:
    # The client the layer publishes with; a connection pool, safe to share.
    shard._ensure_redis()
    return shard._redis


async def listened_groups(layer: Any, groups: list[str]) -> list[str]:
    """Return the groups some process subscribes to, in order, asking each Redis host once.

    A post fanned out to a thousand followers names a thousand user groups,
    and most of those members have no stream open. A web process subscribes
    to a group's pub/sub channel while one of its connections is in the
    group, so one `PUBSUB NUMSUB` per host names the groups worth sending
    to (Mastodon likewise publishes only to timelines with a subscriber).
    Other layers cannot tell and keep every group.
    """
    if not isinstance(layer, RedisPubSubChannelLayer) or not groups:
        return groups
    listened: set[str] = set()
    for shard, pairs in _group_channels_by_connection(layer, groups).items():
        counts = await _redis_of(shard).pubsub_numsub(*(channel for _, channel in pairs))
        listened.update(group for (group, _), (_, count) in zip(pairs, counts, strict=True) if count)
    return [group for group in groups if group in listened]


async def group_send_all(groups: list[str], message: dict[str, Any]) -> None:
    """Send the message to each group, naming the group so a consumer knows which stream it is for.

    With Redis pub/sub, the messages for one host go out in one pipeline:
    the request that posts a status waits for them, and between separate
    publishes its web process would first hand each one to its own
    connections.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    if not isinstance(layer, RedisPubSubChannelLayer):
        for group in groups:
            await layer.group_send(group, {**message, "group": group})
        return
    for shard, pairs in _group_channels_by_connection(layer, groups).items():
        async with _redis_of(shard).pipeline(transaction=False) as pipe:
            for group, channel in pairs:
                pipe.publish(channel, layer.serialize({**message, "group": group}))
            await pipe.execute()


def groups_with_listeners(groups: list[str]) -> list[str]:
    """Return the groups an event could reach now: those with a listener, when the layer can tell.

    In embedded mode the web process's layer cannot be asked from a worker,
    so every group is kept.
    """
    if not groups or relay_through_database():
        return groups
    layer = get_channel_layer()
    if not isinstance(layer, RedisPubSubChannelLayer):
        return groups
    kept = publisher(layer)
    if kept is not None:
        return kept.listened(groups)
    return list(async_to_sync(listened_groups)(layer, groups))


def send_event(groups: list[str], message: Message, *, narrowed: bool = False) -> None:
    """Hand an event for the given groups to the channel layer, or to the relay table in embedded mode.

    A message given as a function is built only when some group can receive
    it: rendering a status costs more than sending it, and most followers of
    a post have no stream open. `narrowed` says the groups were already
    narrowed with `groups_with_listeners`, so they are not asked about again.
    """
    if not groups:
        return
    if relay_through_database():
        StreamEvent.objects.create(groups=groups, message=_built(message))
        return
    listened = groups if narrowed else groups_with_listeners(groups)
    if listened:
        publish(listened, _built(message))


def publish(groups: list[str], message: dict[str, Any]) -> None:
    """Send a built message to each group through the channel layer, from synchronous code."""
    layer = get_channel_layer()
    kept = publisher(layer) if isinstance(layer, RedisPubSubChannelLayer) else None
    if kept is not None:
        kept.publish(groups, message, layer.serialize)
    else:
        async_to_sync(group_send_all)(groups, message)


def _built(message: Message) -> dict[str, Any]:
    return message() if callable(message) else message


def _latest_id() -> int:
    close_old_connections()
    latest = StreamEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return latest or 0


def _events_after(cursor: int) -> list[tuple[int, list[str], dict[str, Any]]]:
    close_old_connections()
    rows = StreamEvent.objects.filter(id__gt=cursor).order_by("id").values_list("id", "groups", "message")[:BATCH]
    return [(row_id, list(groups), dict(message)) for row_id, groups, message in rows]


def _drop_old_events() -> None:
    StreamEvent.objects.filter(created_at__lt=timezone.now() - KEEP).delete()


class DatabaseRelay:
    """The web process's poller of the StreamEvent table.

    It runs on the server's event loop from the first streaming connection
    on; database work runs in one dedicated thread so that it never holds
    up the loop or competes with request threads.
    """

    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self.cursor = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-relay")
        self.task: asyncio.Task[None] | None = None

    async def _run_sync(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    async def run(self) -> None:
        """Forward new rows to their groups until cancelled or until the process shuts down."""
        loop = asyncio.get_running_loop()
        next_clean = loop.time() + CLEAN_EVERY_SECONDS
        while True:
            try:
                if not self.ready.is_set():
                    self.cursor = await self._run_sync(_latest_id)
                    self.ready.set()
                rows = await self._run_sync(self._events_after_cursor)
                for row_id, groups, message in rows:
                    await group_send_all(groups, message)
                    self.cursor = row_id
                if loop.time() >= next_clean:
                    next_clean = loop.time() + CLEAN_EVERY_SECONDS
                    await self._run_sync(_drop_old_events)
            except asyncio.CancelledError:
                raise
            except RuntimeError:
                # The interpreter is exiting and executors take no more work:
                # retrying would keep this loop's thread, and the process, alive.
                if self._executor_closed():
                    logger.info("streaming relay stopped: the process is shutting down")
                    return
                logger.exception("streaming relay failed; retrying")
                await asyncio.sleep(1)
                continue
            except Exception:
                # A locked or briefly unreachable database must not end streaming for good.
                logger.exception("streaming relay failed; retrying")
                await asyncio.sleep(1)
                continue
            if len(rows) < BATCH:
                await asyncio.sleep(POLL_SECONDS)

    def _executor_closed(self) -> bool:
        try:
            self._executor.submit(int).result()
        except RuntimeError:
            return True
        return False

    def _events_after_cursor(self) -> list[tuple[int, list[str], dict[str, Any]]]:
        return _events_after(self.cursor)


_relays: dict[int, DatabaseRelay] = {}


async def ensure_relay_running() -> None:
    """Start this event loop's relay if embedded mode needs one, and wait until it reads the table.

    A client subscribed after this returns receives every event committed after it.
    """
    if not relay_through_database():
        return
    loop = asyncio.get_running_loop()
    relay = _relays.get(id(loop))
    if relay is None or relay.task is None or relay.task.done():
        relay = DatabaseRelay()
        _relays[id(loop)] = relay
        relay.task = loop.create_task(relay.run())
    running: asyncio.Task[None] = relay.task
    ready = asyncio.ensure_future(relay.ready.wait())
    await asyncio.wait({ready, running}, return_when=asyncio.FIRST_COMPLETED)
    if not relay.ready.is_set():
        # The relay ended before it could read the table; waiting longer would wait forever.
        ready.cancel()
        raise RuntimeError("the streaming relay stopped before it started")
