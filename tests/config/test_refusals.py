"""The shared refusal base: every app's errors subclass it, and the client API maps it once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from config.api.errors import api_view
from config.refusals import Refused
from federation.errors import ActivityRefused, DomainPolicyRefused
from governance.errors import BallotRefused, ModerationRefused, ProposalRefused
from members.actions.profile import ProfileRefused
from members.errors import MemberRefused, NotPermitted
from timeline.errors import (
    FollowRefused,
    InteractionRefused,
    RecordNotFound,
    RequestRefused,
    StatusRefused,
    ValidationFailed,
)
from timeline.imaging import MediaRejected

# The event stream is asynchronous and answers its own refusals (StreamRefused) before it streams.
STREAMING_ROUTES = {"api/v1/streaming", "api/v1/streaming/health"}


def test_every_apps_refusals_share_the_base() -> None:
    """Each app's refusal errors are `Refused`, so enactment and the API catch one type."""
    errors: list[type[Exception]] = [ActivityRefused, DomainPolicyRefused, BallotRefused, ModerationRefused]
    errors += [ProposalRefused, MemberRefused, NotPermitted, FollowRefused, InteractionRefused, RequestRefused]
    errors += [StatusRefused, ValidationFailed, RecordNotFound, MediaRejected, ProfileRefused]
    assert all(issubclass(error, Refused) for error in errors)


def test_a_refusal_carries_its_status() -> None:
    """422 by default, a subclass's own status, or one given where it is raised."""
    assert Refused("no").status == 422
    assert NotPermitted("officers only").status == 403
    assert StatusRefused("not yours", status=403).status == 403
    assert ActivityRefused("bad").status == 400
    assert StatusRefused("no").message == "no"


def test_the_api_answers_a_refusal_with_its_message_and_status() -> None:
    """A view that lets a refusal through answers Mastodon's error body with the refusal's status."""

    @api_view("POST")
    def refusing(request: HttpRequest) -> HttpResponse:
        raise NotPermitted("Only officers may do this.")

    response = refusing(RequestFactory().post("/api/v1/anything"))
    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "Only officers may do this."}


def test_a_status_given_where_a_refusal_is_raised_reaches_the_client() -> None:
    """A check that raises with status=403 answers 403 with its message."""

    @api_view("PUT")
    def refusing(request: HttpRequest) -> HttpResponse:
        raise StatusRefused("You can only edit your own statuses.", status=403)

    response = refusing(RequestFactory().put("/api/v1/statuses/1"))
    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "You can only edit your own statuses."}


@pytest.mark.parametrize(
    ("refusal", "status", "error"),
    [
        (ValidationFailed("Title can't be blank."), 422, "Validation failed: Title can't be blank."),
        (RecordNotFound("You can only add accounts you follow to a list."), 404, "Record not found"),
    ],
)
def test_the_api_words_a_refusal_as_mastodon_while_the_web_keeps_the_reason(
    refusal: Refused, status: int, error: str
) -> None:
    """The client API answers Mastodon's wording; `str()`, which the web shows, stays the reason."""

    @api_view("POST")
    def refusing(request: HttpRequest) -> HttpResponse:
        raise refusal

    response = refusing(RequestFactory().post("/api/v1/anything"))
    assert (response.status_code, json.loads(response.content)) == (status, {"error": error})
    assert str(refusal) == refusal.args[0]


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _maps_refusals(view: Callable[..., Any]) -> bool:
    """Tell whether `api_view` is among the view's decorators, following `functools.wraps` chains."""
    wrapper_code = api_view("GET")(lambda request: HttpResponse()).__code__
    current: Any = view
    while current is not None:
        if getattr(current, "__code__", None) is wrapper_code:
            return True
        current = getattr(current, "__wrapped__", None)
    return False


def test_every_client_api_view_maps_refusals() -> None:
    """Views let refusals through, so every client API route must be wrapped by `api_view`."""
    unmapped = [
        route
        for route, view in _routes(get_resolver().url_patterns)
        if (route.startswith("api/") or ".api." in view.__module__)
        and route not in STREAMING_ROUTES
        and not _maps_refusals(view)
    ]
    assert unmapped == []
