"""Every /api/ path answers Mastodon's JSON error, unknown paths and wrong methods included."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/no_such_thing"),
        ("get", "/api/v2/statuses"),
        ("post", "/api/v1/statuses/1/no_such_action"),
        ("delete", "/api/v9/accounts"),
        ("put", "/api/"),
        ("get", "/api/v1/accounts/1/statuses/extra/segments"),
    ],
)
def test_an_unknown_api_path_answers_json_404(method: str, path: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Record not found"}


def test_an_unknown_api_path_answers_json_404_to_a_signed_in_app(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="read write")
    response = Client().get("/api/v1/timelines/nowhere/else", headers=bearer(token.token))
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_an_unknown_page_outside_the_api_is_the_sites_styled_page() -> None:
    response = Client().get("/no-such-page/at/all")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert '<h1 id="error-title">Page not found</h1>' in text
    assert 'class="site-header"' in text
    assert 'action="/search"' in text
    assert 'href="/"' in text


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/.well-known/no-such-document", {}),
        ("/oauth/no-such-endpoint", {}),
        ("/nodeinfo/2.0/extra", {}),
        ("/users/nobody", {"Accept": "application/activity+json"}),
        (
            "/users/nobody/statuses/1",
            {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'},
        ),
    ],
)
def test_a_missing_document_programs_read_answers_json_404(path: str, headers: dict[str, str]) -> None:
    response = Client().get(path, headers=headers)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_an_activity_posted_to_an_unknown_inbox_answers_json_404() -> None:
    response = Client().post("/users/nobody/inbox", "{}", content_type="application/activity+json")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_a_refusal_no_view_answered_is_the_styled_403_page_or_json_for_programs() -> None:
    from config import urls
    from config.api.errors import permission_denied

    assert urls.handler403 == "config.api.errors.permission_denied"
    page = permission_denied(RequestFactory().get("/home"), PermissionDenied())
    assert page.status_code == 403
    assert "You may not see this page" in page.content.decode()
    answer = permission_denied(RequestFactory().get("/api/v1/accounts/1"), PermissionDenied())
    assert answer.status_code == 403
    assert json.loads(answer.content) == {"error": "This action is not allowed"}


@pytest.mark.parametrize(("method", "path"), [("delete", "/api/v1/instance"), ("put", "/api/v2/search")])
def test_a_wrong_method_on_a_known_api_path_answers_json_405(method: str, path: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed"}


def _api_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif route.startswith("api/"):
            yield route


def _sample_path(route: str) -> str:
    """Fill each parameter of a route with a value its converter accepts."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "public", route)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    return "/" + path


def test_every_api_route_answers_an_unknown_method_in_json(alice: Actor) -> None:
    """A method no route serves reaches each view: each answers JSON with an error, never an HTML page."""
    token = AccessTokenFactory.create(user=alice.user, scope="read write follow push admin:read admin:write")
    routes = sorted(set(_api_routes(get_resolver().url_patterns)))
    assert len(routes) > 50
    for route in routes:
        path = _sample_path(route)
        response = Client().generic("PROPFIND", path, headers=bearer(token.token))
        assert response.status_code in {401, 403, 404, 405}, (path, response.status_code)
        assert response["Content-Type"] == "application/json", path
        assert "error" in response.json(), path
