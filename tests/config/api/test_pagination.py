"""Mastodon's id pagination and the Link header."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from config.api.errors import ApiError
from config.api.pagination import PageRequest, link_header, paginate
from federation.models import Actor
from tests.factories.timeline import StatusFactory
from timeline.models import Status

factory = RequestFactory()


@pytest.fixture
def statuses(alice: Actor) -> list[int]:
    """Return the ids of five statuses by alice, oldest first."""
    return sorted(StatusFactory.create(account=alice).pk for _ in range(5))


def _page(query: str) -> list[int]:
    page = PageRequest.from_request(factory.get(f"/x?{query}"))
    return [status.pk for status in paginate(Status.objects.all(), page)]


def test_pages_newest_first_and_backwards_with_max_id(statuses: list[int]) -> None:
    assert _page("limit=2") == [statuses[4], statuses[3]]
    assert _page(f"limit=2&max_id={statuses[3]}") == [statuses[2], statuses[1]]


def test_since_id_keeps_the_newest_items(statuses: list[int]) -> None:
    assert _page(f"limit=2&since_id={statuses[0]}") == [statuses[4], statuses[3]]


def test_min_id_pages_forwards_from_the_bound(statuses: list[int]) -> None:
    assert _page(f"limit=2&min_id={statuses[0]}") == [statuses[2], statuses[1]]


def test_limit_is_clamped() -> None:
    assert PageRequest.from_request(factory.get("/x?limit=500")).limit == 40
    assert PageRequest.from_request(factory.get("/x?limit=0")).limit == 1
    assert PageRequest.from_request(factory.get("/x"), default=15).limit == 15


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ApiError, match="max_id must be an id"):
        PageRequest.from_request(factory.get("/x?max_id=abc"))
    with pytest.raises(ApiError, match="limit must be an integer"):
        PageRequest.from_request(factory.get("/x?limit=many"))


def test_link_header_names_next_before_prev_and_keeps_other_parameters() -> None:
    request = factory.get("/api/v1/timelines/public?local=true&max_id=99&limit=2")
    header = link_header(request, [30, 20, 10])
    assert header == (
        '<http://testserver/api/v1/timelines/public?local=true&limit=2&max_id=10>; rel="next", '
        '<http://testserver/api/v1/timelines/public?local=true&limit=2&min_id=30>; rel="prev"'
    )
    assert link_header(request, []) is None
