"""Reach the Redis master that Sentinel names, for Django's Redis cache.

channels_redis and kombu ask Sentinel themselves (`sentinels` hosts,
`sentinel://` URLs); Django's Redis cache takes only URLs of servers, but
lets a connection-pool class build its pools. This one builds redis-py's own
Sentinel pool, which finds the master again after a failover.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from redis.sentinel import Sentinel, SentinelConnectionPool

# Sentinels answer in milliseconds; a dead one is passed over quickly.
SENTINEL_TIMEOUT_SECONDS = 2.0


class SentinelCachePool(SentinelConnectionPool):
    """A connection pool to the master that REDIS_SENTINELS names (LOCATION: sentinel://MASTER/DB)."""

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SentinelCachePool:
        """Return a pool for the master and database named by the cache's sentinel:// location."""
        master, _, db = url.removeprefix("sentinel://").partition("/")
        # redis-py's Sentinel has no annotations.
        sentinel = Sentinel(  # type: ignore[no-untyped-call]
            settings.REDIS_SENTINELS, sentinel_kwargs={"socket_timeout": SENTINEL_TIMEOUT_SECONDS}
        )
        return cls(master, sentinel, db=int(db or 0), **options)
