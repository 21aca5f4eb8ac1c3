"""The Status entity: counts, the viewer's own state, reblogs and polls, in constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import Actor
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import MentionFactory, RemoteMediaFactory, StatusFactory
from timeline.entities.statuses import status_entities, status_entity
from timeline.models import Favourite, Poll, PollVote, Status, Tag, Visibility

pytestmark = pytest.mark.django_db


def test_counts_and_viewer_state(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    Favourite.objects.create(account=bob, status=status)
    StatusFactory.create(account=bob, reblog_of=status, text="", content="")
    StatusFactory.create(account=bob, in_reply_to=status)
    MentionFactory.create(status=status, account=bob)
    status.tags.add(Tag.objects.create(name="coop"))
    body = status_entity(status, bob)
    assert (body["favourites_count"], body["reblogs_count"], body["replies_count"]) == (1, 1, 1)
    assert body["favourited"] and body["reblogged"]
    assert body["mentions"] == [{"id": str(bob.pk), "username": "bob", "acct": "bob", "url": bob.url}]
    assert [tag["name"] for tag in body["tags"]] == ["coop"]
    assert not status_entity(status, alice)["favourited"]
    assert not status_entity(status, None)["reblogged"]


def test_limited_statuses_show_as_private_without_their_silent_mentions(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=RemoteActorFactory.create(), local=False, visibility=Visibility.LIMITED)
    MentionFactory.create(status=status, account=alice, silent=True)
    MentionFactory.create(status=status, account=bob)
    body = status_entity(status, alice)
    assert body["visibility"] == "private"
    assert [mention["id"] for mention in body["mentions"]] == [str(bob.pk)]
    local_only = StatusFactory.create(account=alice, visibility=Visibility.LOCAL)
    assert (status_entity(local_only, alice)["visibility"], status_entity(local_only, alice)["local_only"]) == (
        "unlisted",
        True,
    )


def test_reblog_carries_its_original(alice: Actor, bob: Actor) -> None:
    original = StatusFactory.create(account=alice)
    reblog = StatusFactory.create(account=bob, reblog_of=original, text="", content="")
    body = status_entity(reblog, None)
    assert body["account"]["id"] == str(bob.pk)
    assert body["content"] == ""
    assert body["reblog"]["id"] == str(original.pk)
    assert body["reblog"]["account"]["id"] == str(alice.pk)


def test_poll_entity_with_own_votes(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    poll = Poll.objects.create(
        status=status,
        options=["yes", "no"],
        votes=[1, 0],
        voters_count=1,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    PollVote.objects.create(poll=poll, account=bob, choice=0)
    body = status_entity(status, bob)["poll"]
    assert body["options"] == [{"title": "yes", "votes_count": 1}, {"title": "no", "votes_count": 0}]
    assert body["votes_count"] == 1
    assert body["voted"] is True
    assert body["own_votes"] == [0]
    assert body["expired"] is False
    assert status_entity(status, None)["poll"]["voted"] is False


def test_remote_attachments_become_media_attachments(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, local=False)
    size = {"width": 4, "height": 2, "size": "4x2", "aspect": 2.0}
    RemoteMediaFactory.create(
        account=alice,
        status=status,
        remote_url="https://x.example/a.png",
        description="A cat",
        meta={"original": size, "small": size},
    )
    [media] = status_entity(status, None)["media_attachments"]
    assert media["type"] == "image"
    # Until the file is copied here it is served through this server's media proxy, never hot-linked.
    assert media["remote_url"] == "https://x.example/a.png"
    assert media["url"] == f"https://localhost:8000/media_proxy/{media['id']}/original"
    assert media["preview_url"] == f"https://localhost:8000/media_proxy/{media['id']}/small"
    assert media["description"] == "A cat"
    assert media["text_url"] is None
    assert media["meta"]["original"]["aspect"] == 2.0


def test_queries_do_not_grow_with_the_page(alice: Actor, bob: Actor) -> None:
    def queries_for(count: int) -> int:
        for _ in range(count):
            author = LocalActorFactory.create()
            status = StatusFactory.create(account=author)
            Favourite.objects.create(account=bob, status=status)
            StatusFactory.create(account=alice, reblog_of=status, text="", content="")
        page = list(Status.objects.select_related("account", "in_reply_to").order_by("-id"))
        with CaptureQueriesContext(connection) as queries:
            status_entities(page, bob)
        return len(queries)

    assert queries_for(2) == queries_for(6)


def test_no_statuses_cost_no_queries(bob: Actor) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert status_entities([], bob, context="notifications") == []
    assert len(queries) == 0
