"""Rate limits on the client API, counted in the cache and reported in Mastodon's X-RateLimit-* headers.

Each token (or, without one, each client address) may make a number of
requests per fixed window. Every API response says how many remain and when
the window resets, so clients such as Mastodon.py can pace themselves.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse

from config.api.errors import api_error
from config.outages import OUTAGE_ERRORS, outage_response, unavailable_service

logger = logging.getLogger(__name__)

LIMITED_PREFIXES = ("/api/",)
TOKEN_PATHS = ("/oauth/token",)
# Token requests per address and window: enough for people signing in, too few to guess passwords.
TOKEN_ENDPOINT_LIMIT = 30
# Sign-ups from apps per address, as Mastodon allows them: 5 in 30 minutes, refused ones included.
SIGN_UP_PATH = "/api/v1/accounts"
SIGN_UP_LIMIT = 5
SIGN_UP_WINDOW_SECONDS = 30 * 60
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def client_address(request: HttpRequest) -> str:
    """Return the client's address; behind the instance's own proxy, the one the proxy names."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    # Behind the instance's own proxy every request comes from loopback; the
    # proxy then names the real client first in X-Forwarded-For.
    if address in LOOPBACK and forwarded:
        address = forwarded.split(",", maxsplit=1)[0].strip()
    return address


def client_identity(request: HttpRequest) -> str:
    """Return what the limit is counted against: the bearer token, the signed-in user, or the client address."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "address:" + client_address(request)


def _count(bucket: str, window: int) -> tuple[int | None, int]:
    """Count one request in the bucket's current window; return the count (None if uncounted) and the window's start.

    Without Redis nothing can be counted: the request goes through uncounted,
    with a log line, since refusing every client while Redis restarts would
    turn a short outage of the cache into one of the whole API.
    """
    window_start = int(time.time()) // window * window
    key = f"ratelimit:{bucket}:{window_start}"
    try:
        default_cache = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(default_cache, RedisCache):
            used = _count_in_redis(default_cache, key, window + 5)
        else:
            used = _count_in_cache(key, window + 5)
    except (redis.RedisError, OSError) as exc:
        logger.warning("rate limit not counted, the cache is unavailable: %s", exc)
        return None, window_start
    return used, window_start


def _count_in_redis(redis_cache: RedisCache, key: str, timeout: int) -> int:
    """Count in one round trip: create the counter with its expiry if it is new, then increment it.

    Django's cache API needs three round trips for the same (ADD, then
    EXISTS and INCRBY): a fifth of the cheapest request's time. The two
    commands go together in one MULTI/EXEC on the cache's own connection
    pool and key format, so the counters are the cache's keys, as before.
    """
    full_key = redis_cache.make_and_validate_key(key)
    # The cache's client (its connection pools) is private in Django and absent from its stubs.
    client = redis_cache._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=True)
    pipeline.set(full_key, 0, ex=timeout, nx=True)
    pipeline.incr(full_key)
    _, used = pipeline.execute()
    return int(used)


def _count_in_cache(key: str, timeout: int) -> int:
    """Count through Django's cache API (the in-memory cache of the embedded mode)."""
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:
        # The counter expired between add and incr: this is the window's first request.
        cache.set(key, 1, timeout=timeout)
        return 1


class RateLimitMiddleware:
    """Count client API requests per identity and window; answer 429 once the limit is spent.

    The token endpoint has its own, smaller allowance per client address,
    since the password grant would otherwise let anyone guess passwords;
    so do sign-ups from apps, which would otherwise fill the applications
    waiting for the co-op's approval.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            return self.get_response(request)
        window = int(settings.MUTUALS_API_RATE_WINDOW_SECONDS)
        if request.method == "POST" and request.path == SIGN_UP_PATH:
            limit, window = SIGN_UP_LIMIT, SIGN_UP_WINDOW_SECONDS
            bucket = "sign-up:" + client_address(request)
        elif request.path.startswith(TOKEN_PATHS):
            limit = TOKEN_ENDPOINT_LIMIT
            bucket = "token-endpoint:" + client_address(request)
        elif request.path.startswith(LIMITED_PREFIXES):
            limit = int(settings.MUTUALS_API_RATE_LIMIT)
            try:
                bucket = client_identity(request)
            except OUTAGE_ERRORS as exc:
                # Reading a signed-in person's session needs the database; an
                # error raised in a middleware never reaches the outage middleware.
                return outage_response(request, unavailable_service(exc) or "database")
        else:
            return self.get_response(request)
        used, window_start = _count(bucket, window)
        if used is None:
            return self.get_response(request)
        if used > limit:
            response: HttpResponse = api_error("Too many requests", 429)
        else:
            response = self.get_response(request)
        reset = datetime.fromtimestamp(window_start + window, tz=UTC)
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(max(0, limit - used))
        response["X-RateLimit-Reset"] = reset.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return response
