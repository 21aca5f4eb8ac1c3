"""A lost database or Redis connection answers 503 with a clear error, never 500, and changes nothing."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from kombu.exceptions import OperationalError as BrokerError

from config.outages import ServiceOutageMiddleware, server_error, unavailable_service
from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory
from timeline.models import IdempotencyKey, Status

pytestmark = pytest.mark.django_db


def _refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def database_down() -> Iterator[None]:
    """Fail every query from here on as a stopped PostgreSQL does."""
    with connection.execute_wrapper(_refuse):
        yield


@pytest.mark.parametrize(
    ("error", "service"),
    [
        (OperationalError("connection refused"), "database"),
        (InterfaceError("connection already closed"), "database"),
        (redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379"), "Redis"),
        (redis.TimeoutError("Timeout reading from socket"), "Redis"),
        (BrokerError("Error 111 connecting"), "broker"),
        (redis.ResponseError("WRONGTYPE"), None),
        (ValueError("a bug"), None),
    ],
)
def test_only_lost_connections_count_as_outages(error: Exception, service: str | None) -> None:
    assert unavailable_service(error) == service


def test_a_client_api_request_answers_503_json_while_the_database_is_down(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="read write")
    headers = bearer(token.token) | {"Idempotency-Key": "k"}
    with connection.execute_wrapper(_refuse):
        response = Client().post("/api/v1/statuses", {"status": "Hello"}, headers=headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": "The server's database is unavailable at the moment; please try again in a few seconds."
    }
    assert not Status.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_page_answers_503_with_a_self_contained_page_while_the_database_is_down(
    alice_client: Client, database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="config.outages"):
        response = alice_client.get("/home")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<h1>Back in a moment</h1>" in page
    assert "The server&#x27;s database is unavailable at the moment." in page
    assert "<link" not in page and "<script" not in page
    assert "database unavailable, answered 503 to GET /home" in caplog.text


def test_the_outage_page_is_in_the_readers_language(alice_client: Client, database_down: None) -> None:
    response = alice_client.get("/home", headers={"Accept-Language": "fr"})
    assert response.status_code == 503
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/.well-known/webfinger?resource=acct:alice@testserver", {}),
        ("/nodeinfo/2.0", {}),
        ("/oauth/token", {}),
        ("/users/alice", {"Accept": "application/activity+json"}),
    ],
)
def test_programs_get_a_json_503_on_every_path_they_read(path: str, headers: dict[str, str]) -> None:
    request = RequestFactory().get(path, headers=headers)
    answered = ServiceOutageMiddleware(lambda request: HttpResponse()).process_exception(
        request, OperationalError("connection refused")
    )
    assert answered is not None
    assert answered.status_code == 503
    assert answered["Retry-After"] == "5"
    assert json.loads(answered.content) == {
        "error": "The server's database is unavailable at the moment; please try again in a few seconds."
    }


def test_other_errors_are_left_to_django() -> None:
    middleware = ServiceOutageMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/api/v1/instance")
    assert middleware.process_exception(request, ValueError("a bug")) is None
    answered = middleware.process_exception(request, redis.ConnectionError("Connection refused"))
    assert answered is not None
    assert answered.status_code == 503


def test_an_outage_met_outside_a_view_answers_503_through_the_error_handler() -> None:
    """A middleware's lost connection (a session saved after the view) skips the middleware above."""
    from config import urls

    assert urls.handler500 == "config.outages.server_error"
    request = RequestFactory().get("/api/v1/timelines/home")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database is unavailable" in response.content.decode()


def test_the_error_handler_answers_other_errors_with_a_self_contained_500_page(database_down: None) -> None:
    """The page reads nothing: it renders while the database refuses every query."""
    request = RequestFactory().get("/home")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "<h1>Something went wrong</h1>" in text
    assert '<a href="/">' in text
    assert "<link" not in text


def test_the_error_handler_answers_500_json_to_programs() -> None:
    request = RequestFactory().get("/api/v1/timelines/home")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"error": "Internal server error"}'
