"""Filters apply to streamed statuses; the web app streams with its session."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any, cast

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from federation.models import Actor
from tests.clients import bearer
from tests.factories.timeline import FollowFactory
from tests.timeline.streaming.conftest import apost, run, token_for
from timeline.actions.filters import KeywordChange, check_filter, do_create_filter
from timeline.streaming.filtering import StreamFilters, context_of, filtered_payload

pytestmark = pytest.mark.django_db(transaction=True)


def events_of(response: Any) -> AsyncGenerator[Any, None]:
    return cast(AsyncGenerator[Any, None], aiter(response.streaming_content))


async def next_event(stream: AsyncGenerator[Any, None]) -> str:
    while True:
        chunk = bytes(await asyncio.wait_for(anext(stream), 5)).decode()
        if chunk.startswith("event:"):
            return chunk


def make_filter(owner: Actor, word: str, action: str) -> None:
    draft = check_filter(
        title=f"no {word}", context=["home", "public"], filter_action=action, keywords=[KeywordChange(keyword=word)]
    )
    do_create_filter(owner, draft)


def test_streams_map_to_filter_contexts() -> None:
    assert context_of(("user",)) == "home"
    assert context_of(("list", "3")) == "home"
    assert context_of(("public", "local")) == "public"
    assert context_of(("hashtag", "x")) == "public"


def test_a_warn_filter_marks_and_a_hide_filter_drops_streamed_statuses(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    make_filter(bob, "spoiler", "warn")
    make_filter(bob, "election", "hide")
    token = token_for(bob)

    async def scenario() -> None:
        response = await AsyncClient().get("/api/v1/streaming/user", headers=bearer(token))
        stream = events_of(response)
        await anext(stream)  # The first comment arrives once the stream has joined its group.
        await apost(alice, "the election results are in")
        await apost(alice, "a spoiler for the finale")
        chunk = await next_event(stream)
        data = json.loads(chunk.split("data: ", 1)[1])
        assert "spoiler" in data["content"]
        assert data["filtered"][0]["keyword_matches"] == ["spoiler"]
        await stream.aclose()

    run(scenario)


def test_the_web_session_streams_the_members_home(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    user = bob.user
    assert user is not None

    async def scenario() -> None:
        client = AsyncClient()
        await sync_to_async(client.force_login)(user)
        response = await client.get("/api/v1/streaming/user")
        assert response.status_code == 200
        stream = events_of(response)
        await anext(stream)
        await apost(alice, "seen in the browser")
        chunk = await next_event(stream)
        assert "seen in the browser" in chunk
        await stream.aclose()

    run(scenario)


def test_without_a_session_or_token_the_user_stream_is_refused() -> None:
    async def scenario() -> None:
        response = await AsyncClient().get("/api/v1/streaming/user")
        assert response.status_code in (401, 403)

    run(scenario)


def test_viewers_without_filters_get_the_payload_untouched(bob: Actor) -> None:
    payload = json.dumps({"id": "1", "content": "anything"})
    assert filtered_payload(StreamFilters(actor=bob), "update", payload, ("user",)) == payload
    assert filtered_payload(StreamFilters(actor=None), "update", payload, ("public",)) == payload


def test_a_viewer_known_to_filter_nothing_needs_no_database_per_event(bob: Actor) -> None:
    cache = StreamFilters(actor=bob)
    assert cache.may_filter("update", ("public",))
    cache.filters_for("public")
    assert not cache.may_filter("update", ("public",))
    assert not cache.may_filter("delete", ("user",))
    assert not StreamFilters(actor=None).may_filter("update", ("public",))
    make_filter(bob, "spoiler", "warn")
    cache.invalidate()
    assert cache.may_filter("update", ("public",))
    cache.filters_for("public")
    assert cache.may_filter("update", ("public",))
