"""Rate limits on the client API, reported in X-RateLimit-* headers."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

from config.api.ratelimit import client_identity
from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory
from tests.live import REDIS_BASE_URL, free_port, services_available

pytestmark = pytest.mark.django_db


def test_api_responses_carry_the_headers() -> None:
    response = Client().get("/api/v1/instance")
    assert response["X-RateLimit-Limit"] == "300"
    assert response["X-RateLimit-Remaining"] == "299"
    assert response["X-RateLimit-Reset"].endswith("Z")
    assert "X-RateLimit-Limit" not in Client().get("/healthz")


def test_spent_limit_answers_429_until_the_window_resets(settings: Any, alice: Actor) -> None:
    settings.MUTUALS_API_RATE_LIMIT = 2
    client = Client()
    assert client.get("/api/v1/instance").status_code == 200
    assert client.get("/api/v1/instance").status_code == 200
    refused = client.get("/api/v1/instance")
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert refused["X-RateLimit-Remaining"] == "0"
    # A token has its own allowance, apart from the address's.
    token = AccessTokenFactory.create(user=alice.user, scope="read")
    headers = bearer(token.token)
    assert client.get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200


def test_identity_prefers_the_token_then_the_forwarded_address() -> None:
    from django.test import RequestFactory

    factory = RequestFactory()
    with_token = factory.get("/api/v1/instance", HTTP_AUTHORIZATION="Bearer abc")
    assert client_identity(with_token).startswith("token:")
    proxied = factory.get("/api/v1/instance", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert client_identity(proxied) == "address:203.0.113.9"
    direct = factory.get("/api/v1/instance", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_identity(direct) == "address:198.51.100.7"


def test_signed_in_web_requests_count_against_the_person(alice: Actor) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/api/v1/instance")
    request.user = alice.user  # type: ignore[assignment]
    assert client_identity(request) == f"user:{alice.user_id}"


def test_token_endpoint_has_a_small_allowance_per_address() -> None:
    client = Client()
    for _ in range(30):
        assert client.post("/oauth/token", {"grant_type": "password"}).status_code != 429
    refused = client.post("/oauth/token", {"grant_type": "password", "username": "a", "password": "b"})
    assert refused.status_code == 429
    assert refused["X-RateLimit-Limit"] == "30"


@pytest.fixture
def cache_down(settings: Any) -> None:
    """Point the cache at a Redis port nothing listens on, as while Redis restarts."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


def test_requests_go_through_uncounted_while_the_cache_is_down(
    settings: Any, cache_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MUTUALS_API_RATE_LIMIT = 1
    client = Client()
    with caplog.at_level("WARNING", logger="config.api.ratelimit"):
        responses = [client.get("/api/v1/instance") for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert all("X-RateLimit-Remaining" not in response for response in responses)
    assert caplog.text.count("rate limit not counted, the cache is unavailable") == 3


def test_a_session_that_cannot_be_read_answers_503(alice_client: Client) -> None:
    def refuse(*args: Any) -> Any:
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = alice_client.get("/api/v1/instance")
    assert response.status_code == 503
    assert "database is unavailable" in response.json()["error"]


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    """Point the cache at the loopback Redis under a prefix of this test's own, removing its keys afterwards."""
    if services_available() is not None:
        pytest.skip("needs Redis on loopback")
    prefix = f"ratelimit-test-{secrets.token_hex(4)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{REDIS_BASE_URL}/0",
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(f"{REDIS_BASE_URL}/0")
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_redis_counts_in_the_caches_keys_with_the_windows_expiry(settings: Any, redis_cache: Any) -> None:
    client, prefix = redis_cache
    settings.MUTUALS_API_RATE_LIMIT = 2
    api = Client()
    answers = [api.get("/api/v1/instance") for _ in range(3)]
    assert [response.status_code for response in answers] == [200, 200, 429]
    assert [response["X-RateLimit-Remaining"] for response in answers] == ["1", "0", "0"]
    (key,) = list(client.scan_iter(f"{prefix}*ratelimit:address:*"))
    assert int(client.get(key)) == 3
    assert 0 < client.ttl(key) <= settings.MUTUALS_API_RATE_WINDOW_SECONDS + 5
    # The counter is the cache's own key: Django's cache reads the same count.
    assert cache.get(key.decode().split(":", 2)[2]) == 3
